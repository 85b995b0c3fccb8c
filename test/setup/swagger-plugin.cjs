// Runs the @nestjs/swagger CLI plugin inside ts-jest, so the OpenAPI document seen by tests is the one
// `nest build` produces (DTO schemas included).
const plugin = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: '1',
  factory(cs) {
    return plugin.before({ classValidatorShim: true, introspectComments: true }, cs.program);
  },
};
