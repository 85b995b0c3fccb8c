// The floor's routes served by a minimal NestJS app (FLOOR_FRAMEWORK=nest or nest-full; see server.mjs), to
// split the gap between Calento and the bare floor into what the card's framework costs by itself and what
// is Calento's own.
//
// - nest:      @nestjs/core on @nestjs/platform-fastify, one controller whose methods run the floor's
//              handlers (@Req, @Res), no logger. What any NestJS server pays on every request and at rest.
// - nest-full: the same, plus a global ValidationPipe, Swagger at /docs, and every package Calento loads at
//              start imported (found with a module-load hook on `node dist/main.js`; mail, Google and Slack
//              load on first use there, so not here either). What an empty app built with the card's
//              packages holds before it has any code of its own.
//
// Plain JavaScript, so the decorators are applied by hand; the handlers and their bytes are server.mjs's.
import 'reflect-metadata';
import { Controller, Get, Module, Req, Res, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The packages `node dist/main.js` loads before it listens, besides Nest's core, Fastify and pg. */
const loadedAtStart = [
  '@nestjs/jwt',
  '@nestjs/passport',
  '@nestjs/terminus',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
  '@socket.io/redis-adapter',
  '@fastify/static',
  'bcrypt',
  'class-transformer',
  'class-validator',
  'helmet',
  'ical.js',
  'ioredis',
  'js-yaml',
  'luxon',
  'passport',
  'passport-custom',
  'passport-jwt',
  'pino',
  'prom-client',
  'rate-limiter-flexible',
  'rrule',
  'socket.io',
  'standardwebhooks',
];

/** Serves `routes` ([path, fastify-style handler] pairs) from a Nest controller on 127.0.0.1:`port`. */
export async function listenInNest(routes, { port, full }) {
  if (full) await Promise.all(loadedAtStart.map((name) => import(name)));

  class FloorController {}
  routes.forEach(([path, handler], index) => {
    const method = `route${index}`;
    FloorController.prototype[method] = async function (request, reply) {
      const body = await handler(request, reply);
      if (!reply.sent) reply.send(body);
    };
    Get(path)(FloorController.prototype, method, Object.getOwnPropertyDescriptor(FloorController.prototype, method));
    Req()(FloorController.prototype, method, 0);
    Res()(FloorController.prototype, method, 1);
  });
  Controller()(FloorController);
  class FloorModule {}
  Module({ controllers: [FloorController] })(FloorModule);

  const app = await NestFactory.create(FloorModule, new FastifyAdapter({ logger: false }), { logger: false });
  if (full) {
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true }));
    const { DocumentBuilder, SwaggerModule } = await import('@nestjs/swagger');
    SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('floor').build()));
  }
  await app.listen(port, '127.0.0.1');
  return app;
}
