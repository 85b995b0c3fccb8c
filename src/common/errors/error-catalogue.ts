/**
 * The one message catalogue: every error code Calento returns, its HTTP status, its title and a detail
 * template. `{name}` placeholders are filled from the error's params. docs/errors.md lists the same codes
 * (a test keeps the two in step); a later locale can swap this table without touching callers.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed', detail: 'The request has invalid fields.' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON', detail: 'The request body is not valid JSON.' },
  JSON_TOO_DEEP: {
    status: 400,
    title: 'JSON nested too deeply',
    detail: 'The JSON body nests objects and arrays deeper than {limit} levels.',
  },
  MALFORMED_URL: { status: 400, title: 'Malformed URL', detail: 'The URL path is not valid (bad percent-encoding).' },
  MALFORMED_REQUEST: { status: 400, title: 'Malformed request', detail: 'The request is not valid HTTP/1.1.' },
  INVALID_ID: { status: 400, title: 'Invalid identifier', detail: 'Path parameter "{field}" must be a UUID.' },
  INVALID_INPUT: { status: 400, title: 'Invalid input', detail: 'A value in the request could not be understood.' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required', detail: 'A valid access token is required.' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials', detail: 'The email or password is wrong.' },
  INVALID_REFRESH_TOKEN: {
    status: 401,
    title: 'Invalid refresh token',
    detail: 'The refresh token is unknown, expired or revoked.',
  },
  REFRESH_TOKEN_REUSED: {
    status: 401,
    title: 'Refresh token reused',
    detail: 'This refresh token was already used; every session of this login has been revoked.',
  },
  INVALID_RESET_TOKEN: {
    status: 400,
    title: 'Invalid reset token',
    detail: 'The password reset token is unknown, expired or already used.',
  },
  WRONG_PASSWORD: { status: 400, title: 'Wrong password', detail: 'The current password is wrong.' },
  FORBIDDEN: { status: 403, title: 'Forbidden', detail: 'You may not do this.' },
  INSUFFICIENT_SCOPE: {
    status: 403,
    title: 'Insufficient scope',
    detail: 'This API key lacks the scope "{scope}" this route needs.',
  },
  API_KEY_LIMIT_REACHED: { status: 409, title: 'Too many API keys', detail: 'You may hold at most {max} API keys; revoke one first.' },
  NOT_FOUND: { status: 404, title: 'Not found', detail: 'The {resource} was not found.' },
  ROUTE_NOT_FOUND: { status: 404, title: 'Route not found', detail: 'No route matches {method} {path}.' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', detail: 'This route does not accept {method}.' },
  CONFLICT: { status: 409, title: 'Conflict', detail: 'The request conflicts with existing data.' },
  PRECONDITION_FAILED: {
    status: 412,
    title: 'Precondition failed',
    detail: 'The resource changed since you read it (If-Match does not match its ETag); read it again, then retry.',
  },
  EMAIL_TAKEN: { status: 409, title: 'Email already registered', detail: 'An account with this email exists.' },
  TAG_NAME_TAKEN: { status: 409, title: 'Tag name taken', detail: 'You already have a tag named "{name}".' },
  UNKNOWN_TAG: { status: 400, title: 'Unknown tag', detail: 'One of the tag ids is not one of your tags.' },
  EVENT_READ_ONLY: {
    status: 403,
    title: 'Event is read-only',
    detail: 'You were invited to this event; only its owner can change it. Answer with POST /events/:id/rsvp.',
  },
  NOT_AN_ATTENDEE: { status: 400, title: 'Not an attendee', detail: 'You are not on the attendee list of this event.' },
  INVALID_RECURRENCE: { status: 400, title: 'Invalid recurrence', detail: '{message}' },
  NOT_A_SERIES: { status: 400, title: 'Not a series', detail: 'This event does not repeat.' },
  UNKNOWN_OCCURRENCE: { status: 404, title: 'Unknown occurrence', detail: 'The series has no occurrence {occurrenceId}.' },
  SERIES_ALL_CANCELLED: {
    status: 409,
    title: 'Every occurrence is cancelled',
    detail: 'Every occurrence of this series is cancelled, so no event would be left; delete the series instead.',
  },
  EXPANSION_TOO_LARGE: {
    status: 400,
    title: 'Too many occurrences',
    detail: 'The window holds more than {cap} occurrences; ask for a shorter window.',
  },
  WINDOW_REQUIRED: { status: 400, title: 'Window required', detail: 'This route needs a time window: give both bounds (from and to).' },
  WINDOW_TOO_LARGE: {
    status: 400,
    title: 'Window too large',
    detail: 'The window may span at most {maxDays} days; ask for a shorter one.',
  },
  AVAILABILITY_OVERLAP: {
    status: 409,
    title: 'Overlapping hours',
    detail: 'These hours overlap hours you already have on the same {scope} in the same time zone.',
  },
  INVALID_ICALENDAR: {
    status: 400,
    title: 'Not iCalendar',
    detail: 'The "ics" field must hold iCalendar (RFC 5545) text beginning with BEGIN:VCALENDAR.',
  },
  SLUG_TAKEN: { status: 409, title: 'Slug taken', detail: 'The booking link slug "{slug}" is taken.' },
  BOOKING_SLOT_TAKEN: { status: 409, title: 'Slot taken', detail: 'This time was just booked by someone else; pick another slot.' },
  BOOKING_LIMIT_REACHED: { status: 409, title: 'Fully booked', detail: 'No more bookings are taken then: {reason}.' },
  SLOT_NOT_OFFERED: { status: 400, title: 'Slot not offered', detail: 'This start cannot be booked: {reason}.' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    detail: 'This Idempotency-Key was already used with a different request.',
  },
  BOOKING_CANCELLED: { status: 409, title: 'Booking cancelled', detail: 'The booking is cancelled already.' },
  BOOKING_LINK_GONE: {
    status: 409,
    title: 'Booking link closed',
    detail: 'The booking link was deleted or deactivated; the booking cannot be moved (it can still be cancelled).',
  },
  WEBHOOK_DISABLED: {
    status: 409,
    title: 'Webhook disabled',
    detail: 'The webhook endpoint is disabled; enable it with PATCH /webhooks/:id {"enabled": true} first.',
  },
  DELIVERY_PENDING: {
    status: 409,
    title: 'Delivery pending',
    detail: 'This delivery is still queued or waiting for a retry; redeliver it once it has succeeded or failed.',
  },
  CLIENT_NAME_TAKEN: { status: 409, title: 'Client name taken', detail: 'You already have a client named "{name}".' },
  CLIENT_HAS_CREDENTIALS: {
    status: 409,
    title: 'Client has credentials',
    detail: 'This client already has OAuth credentials ({credentialId}); change them with PUT /oauth/{credentialId}.',
  },
  CLIENT_NOT_CONNECTED: {
    status: 409,
    title: 'Client not connected',
    detail: 'The client has no connected Google account; connect it with POST /oauth/:id/authorize.',
  },
  CLIENT_NEEDS_REAUTH: {
    status: 409,
    title: 'Client needs consent again',
    detail: "Google no longer accepts this client's access; authorize it again with POST /oauth/:id/authorize.",
  },
  GOOGLE_DEFAULT_CLIENT_MISSING: {
    status: 409,
    title: 'No default Google OAuth client',
    detail: "These credentials use the deployment's Google OAuth client, but GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not configured.",
  },
  GOOGLE_UNAVAILABLE: { status: 502, title: 'Google unavailable', detail: 'Google did not answer as expected ({reason}); try again later.' },
  GOOGLE_REFUSED: {
    status: 422,
    title: 'Google refused the change',
    detail: 'Google refused this change ({reason}); sending it again will not help. Nothing was changed here.',
  },
  CALENDAR_NOT_WRITABLE: {
    status: 409,
    title: 'Calendar not writable',
    detail: 'New bookings can only go to a calendar you may write to (access role owner or writer).',
  },
  CALENDAR_NOT_SYNCABLE: {
    status: 409,
    title: 'Calendar cannot sync this way',
    detail: 'This calendar cannot be synced with strategy {strategy}: {reason}.',
  },
  CALENDAR_NOT_SYNCED: {
    status: 409,
    title: 'Calendar not synced',
    detail: 'This calendar is not synced; start with POST /calendar/sync/initial.',
  },
  CONFLICT_RESOLVED: { status: 409, title: 'Conflict resolved already', detail: 'This conflict was resolved already ({resolution}).' },
  CHANGED_AT_GOOGLE: {
    status: 409,
    title: 'Changed at Google meanwhile',
    detail: 'The event was changed at Google since you read it; read it again and retry.',
  },
  DESTINATION_TAKEN: {
    status: 409,
    title: 'Destination changed meanwhile',
    detail: 'Another calendar became your booking destination at the same moment; read the calendars and try again.',
  },
  SLACK_NOT_CONFIGURED: {
    status: 409,
    title: 'Slack not configured',
    detail: 'This deployment has no Slack app: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set.',
  },
  SLACK_TOKEN_REVOKED: {
    status: 409,
    title: 'Slack access revoked',
    detail: 'Slack no longer accepts Calento\'s token ({reason}); connect again with POST /integrations/slack/connect.',
  },
  SLACK_STATUS_SCOPE_MISSING: {
    status: 409,
    title: 'Status permission missing',
    detail: 'Setting your Slack status needs the users.profile:write permission: connect again with statusSync true.',
  },
  SLACK_UNAVAILABLE: { status: 502, title: 'Slack unavailable', detail: 'Slack did not answer as expected ({reason}); try again later.' },
  SLACK_SIGNATURE_INVALID: {
    status: 401,
    title: 'Invalid Slack signature',
    detail: 'The request does not carry a valid X-Slack-Signature and X-Slack-Request-Timestamp.',
  },
  SLACK_REQUEST_STALE: {
    status: 401,
    title: 'Stale Slack request',
    detail: 'The request timestamp is more than 5 minutes away from now.',
  },
  SLACK_REQUEST_REPLAYED: { status: 409, title: 'Slack request replayed', detail: 'This signed request was answered already.' },
  INVALID_VERIFICATION_TOKEN: {
    status: 400,
    title: 'Invalid verification link',
    detail: 'The email verification link is unknown, expired or already used; ask for a new one.',
  },
  EMAIL_ADDRESS_LIMIT: {
    status: 409,
    title: 'Too many addresses',
    detail: 'You may have at most {limit} notification addresses; remove one first.',
  },
  EMAIL_ALREADY_VERIFIED: { status: 409, title: 'Already verified', detail: 'The address {email} is verified already.' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout', detail: 'The request was not received in time.' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    detail: 'The request body exceeds the limit of {limit} bytes.',
  },
  URI_TOO_LONG: {
    status: 414,
    title: 'URI too long',
    detail: 'A path segment is longer than {limit} characters.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    detail: 'Send the request body as application/json.',
  },
  UNSUPPORTED_CHARSET: {
    status: 415,
    title: 'Unsupported charset',
    detail: 'The body is declared as {charset}, which Calento cannot read; send it as UTF-8.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request header fields too large',
    detail: 'The request line and headers exceed {limit} bytes.',
  },
  RATE_LIMITED: { status: 429, title: 'Too many requests', detail: 'Too many attempts; retry later.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    detail: 'The service cannot take this request now (starting, shutting down, or its database unreachable); retry shortly.',
  },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', detail: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; title: string; detail: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
