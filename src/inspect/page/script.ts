import { inspectorClient } from './client.js';

/**
 * The inspector page's script file, served at `/inspector.js` (the page's CSP runs no inline
 * script). It reads the boot data from `<body data-boot>`.
 * @example res.end(INSPECTOR_SCRIPT);
 */
export const INSPECTOR_SCRIPT =
  // Transpilers that keep function names (esbuild's keepNames, used by tsx) call a `__name`
  // helper from the function's body; the browser has none, so the file defines a no-op one.
  `'use strict';\nconst __name = (f) => f;\n(${inspectorClient.toString()})(JSON.parse(document.body.dataset.boot));\n`;
