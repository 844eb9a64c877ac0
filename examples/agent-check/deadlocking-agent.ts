/**
 * A booking agent with a deadlock: `confirm_booking` awaits the whole speech that called it
 * (`ctx.speechHandle.waitForPlayout()`), and that speech cannot end before its tool does, since the
 * tool's output must be answered by its tool reply. In a live call the agent goes silent until the
 * user interrupts. `npx speechcharts check --agent examples/agent-check/deadlocking-agent.ts` finds it
 * and prints the shortest path to it; `fixed-agent.ts` is the same agent, fixed.
 */
import { Agent, tool } from '../../src/index.js'; // in your project: from 'speechcharts'

const confirmBooking = tool({
  description: 'Confirm the booking. Say a short preamble before calling this.',
  behavior: { awaitsOwnSpeech: true, throws: true },
  async execute(_args, { ctx }) {
    await ctx.speechHandle.waitForPlayout(); // waits for the tool reply, which waits for this tool
    return 'confirmed';
  },
});

export default new Agent({ id: 'booking', instructions: 'You confirm table bookings.', tools: { confirm_booking: confirmBooking } });
