/**
 * The booking agent of `deadlocking-agent.ts`, fixed: `confirm_booking` waits for its preamble only
 * (`ctx.waitForPlayout()`), which ends once the step's audio has played, and says a status line
 * while it works. `npx speechcharts check --agent examples/agent-check/fixed-agent.ts` passes.
 */
import { Agent, tool } from '../../src/index.js'; // in your project: from 'speechcharts'

const confirmBooking = tool({
  description: 'Confirm the booking. Say a short preamble before calling this.',
  behavior: { awaitsPlayout: true, says: true, throws: true },
  async execute(_args, { ctx }) {
    await ctx.waitForPlayout(); // the preamble only: rejects SpeechInterruptedError if the user cuts it
    await ctx.session.say('Just confirming with the restaurant.').waitForPlayout();
    return 'confirmed';
  },
});

export default new Agent({ id: 'booking', instructions: 'You confirm table bookings.', tools: { confirm_booking: confirmBooking } });
