/** `--name value` pairs from argv, with defaults. */
export function args<T extends Record<string, string>>(defaults: T): T {
  const out: Record<string, string> = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.slice(2), argv[++i] ?? ''];
    if (!(k in defaults)) throw new Error(`unknown option --${k} (known: ${Object.keys(defaults).map((x) => `--${x}`).join(', ')})`);
    out[k] = v;
  }
  return out as T;
}
