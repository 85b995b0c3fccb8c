/** Why a refresh token stopped working. Only 'rotated' makes a later use of it look like theft. */
export type RevokedReason = 'rotated' | 'logout' | 'reuse_detected' | 'password_reset' | 'password_changed';

export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: RevokedReason | null;
}

export interface PasswordResetRow {
  id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}
