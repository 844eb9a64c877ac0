/**
 * Thrown from `Agent.onUserTurnCompleted` to skip the reply to that turn (the user's message is
 * still committed to history), as in LiveKit.
 * @example
 * override async onUserTurnCompleted(_history, msg) { if (msg.content === 'shh') throw new StopResponse(); }
 */
export class StopResponse extends Error {
  constructor(message = 'the agent chose not to reply to this turn') {
    super(message);
    this.name = 'StopResponse';
  }
}
