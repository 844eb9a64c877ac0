/**
 * speechcharts/inspect: see every actor of a session move, offline.
 * A trace recorder (JSON lines), an inspector server on localhost with a self-contained page,
 * machine diagrams rendered from the definitions, and an optional bridge to Stately's inspector.
 */
export {
  createTraceRecorder,
  sanitizeForTrace,
  parseTrace,
  readTraceFile,
  TRACE_VERSION,
  type TraceRecord,
  type TraceEvent,
  type TraceRecorder,
  type TraceRecorderOptions,
  type TraceInspector,
  type SanitizeOptions,
  type InspectionObserver,
} from './trace-recorder.js';
export { OMITTED_TEXT, REDACTION_FAILED_TEXT, type TraceTextKind, type TraceTextField, type TraceTextOptions } from './trace-text.js';
export type { ConversationObserver } from '../runtime/conversation-observer.js';
export { createInspectorServer, type InspectorServer, type InspectorServerOptions, type RenderLimits } from './inspector-server.js';
export { DiagramRenderWorker, type DiagramRenderWorkerOptions } from './diagram-render-worker.js';
export { validateMachineGraph, type MachineGraphLimits } from './machine-graph-validation.js';
export {
  DiagramRenderTimeoutError,
  DiagramRenderBusyError,
  DiagramRendererClosedError,
  DiagramRenderError,
  InvalidMachineGraphError,
  MachineGraphTooLargeError,
} from './inspector-errors.js';
export { RequestBodyTooLargeError } from './request-guards.js';
export {
  describeMachine,
  machineGraphToDot,
  renderMachineSvg,
  isMachineGraph,
  isStateMachine,
  BAD_OUTCOME,
  type MachineGraph,
  type MachineGraphNode,
  type MachineGraphTransition,
  type DiagramOptions,
} from './machine-diagram.js';
export { combineInspectors } from './combine-inspectors.js';
export { createStatelyBridge, type StatelyBridge, type StatelyBridgeOptions } from './stately-bridge.js';
export { runSeedDemo, SEED_FIRST_INPUT, SEED_SECOND_INPUT, type SeedDemoOptions, type SeedDemoResult } from './seed-demo.js';
