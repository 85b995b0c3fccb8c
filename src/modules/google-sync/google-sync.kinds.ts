/** Job kinds of the Google sync (payloads next to their handlers in google-sync.jobs.ts). */
export const GOOGLE_SYNC_JOB = 'google.sync';
export const GOOGLE_PUSH_JOB = 'google.push';
export const GOOGLE_CHANNEL_STOP_JOB = 'google.channel.stop';
export const GOOGLE_SYNC_TICK_JOB = 'google.tick';
