import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'calento:isPublic';

/** Marks a route (or controller) as open to anonymous callers: the global JWT guard lets it through. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
