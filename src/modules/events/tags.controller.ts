import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch, Post } from '@nestjs/common';
import { CreatedAt, LOCATION_HEADER } from '../../common/http/created-location.js';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { UuidParam } from '../../common/validation/validation.js';
import { TagsService } from './tags.service.js';
import type { Tag } from './events.rows.js';
import { CreateTagDto, TagResponseDto, UpdateTagDto } from './dto/tag.dto.js';

/** Per-user tags (categories); put them on events with tagIds or POST /events/:id/tags/:tagId. */
@ApiTags('tags')
@Controller('tags')
export class TagsController {
  constructor(@Inject(TagsService) private readonly tags: TagsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tag' })
  @ApiCreatedResponse({ type: TagResponseDto, headers: LOCATION_HEADER })
  @CreatedAt('tags')
  @ApiAuth('VALIDATION_FAILED', 'TAG_NAME_TAKEN')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateTagDto): Promise<Tag> {
    return this.tags.create(user.id, dto.name, dto.color);
  }

  @Get()
  @ApiOperation({ summary: 'Your tags, by name' })
  @ApiOkResponse({ type: [TagResponseDto] })
  @ApiAuth()
  list(@CurrentUser() user: AuthUser): Promise<Tag[]> {
    return this.tags.list(user.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One tag' })
  @ApiOkResponse({ type: TagResponseDto })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<Tag> {
    return this.tags.get(user.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename or recolor a tag' })
  @ApiOkResponse({ type: TagResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'INVALID_ID', 'NOT_FOUND', 'TAG_NAME_TAKEN')
  update(@CurrentUser() user: AuthUser, @UuidParam('id') id: string, @Body() dto: UpdateTagDto): Promise<Tag> {
    return this.tags.update(user.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a tag', description: 'It disappears from every event; the events stay.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.tags.remove(user.id, id);
  }
}
