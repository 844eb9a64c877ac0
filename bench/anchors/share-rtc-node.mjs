// Module resolve hook for the agents-js process: `@livekit/rtc-node` imported from outside
// bench/anchors (the shared sinks, src/adapters/rtc-audio-output.ts) resolves to the copy agents-js
// uses, so the process loads one native rtc-node, not two.
const anchors = new URL('./package.json', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === '@livekit/rtc-node' && context.parentURL && !context.parentURL.includes('/bench/anchors/')) {
    return next(specifier, { ...context, parentURL: anchors });
  }
  return next(specifier, context);
}
