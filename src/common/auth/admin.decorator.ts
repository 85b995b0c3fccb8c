import { SetMetadata } from '@nestjs/common';

export const IS_ADMIN_ONLY = 'calento:adminOnly';

/**
 * Marks an operational route (or controller): only an admin passes (users.role = 'admin', or an email in
 * ADMIN_EMAILS); any other caller gets 403 FORBIDDEN. API keys never pass: no grantable scope covers
 * operations, so a leaked key cannot read them.
 */
export const AdminOnly = () => SetMetadata(IS_ADMIN_ONLY, true);
