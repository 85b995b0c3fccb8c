import { Module } from '@nestjs/common';
import { WebAppController } from './web-app.controller.js';
import { WebAppService } from './web-app.service.js';

@Module({
  controllers: [WebAppController],
  providers: [WebAppService],
})
export class WebAppModule {}
