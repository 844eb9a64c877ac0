/**
 * The invariants, as named predicates: over the composed system (every reachable state and
 * transition of the composed model) and over each machine on its own (every event, with payload
 * variants, in every reachable state, final states included).
 */
export * from './composed-invariants.js';
export * from './machine-models.js';
export { API_EVENT_TYPES, PIPELINE_EVENT_TYPES } from './composed-model.js';
