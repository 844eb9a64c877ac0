// Loaded with `node --import`: makes any import of @livekit/agents (or its plugins) fail, so a
// child process can show that a module loads without them.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (/^@livekit\\/agents($|\\/|-plugin-)/.test(specifier)) throw new Error('FORBIDDEN import of ' + specifier);
  return next(specifier, context);
}`));
