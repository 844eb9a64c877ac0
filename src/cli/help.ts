/** The `speechcharts` command line's help texts. */

export const MAIN_HELP = `speechcharts: speech orchestration for voice agents on XState statecharts

Usage:
  speechcharts run <scenario.json> [options]   run a scripted conversation on real audio (see: speechcharts run --help)
  speechcharts check [--deep]                  verify the machines and the session's routing
  speechcharts check --agent <module>          check your agent's tools against the session's routing
  speechcharts paths <machine>                 list the paths through one machine
  speechcharts inspect [trace.jsonl]           open the inspector on a trace (or on a live demo)
  speechcharts help [command]

npm start runs: speechcharts run examples/tool-preamble-interrupt.json
`;

export const RUN_HELP = `speechcharts run <scenario.json> [options]

Runs a scripted conversation (a scenario) on an AgentSession with real parts, and measures it.
By default: the espeak-ng voice (or a built-in synthetic voice when espeak-ng is not installed,
said once), played in real time through rtc-node's AudioSource; no server, no keys.

Prints a live view (one line per state change of the agent, the scheduler, each speech and each
tool run, with ms since the start; audio progress while it plays) and a summary with the
figures measured after each interrupt:
  interrupt → tool wait settled   a tool awaiting its preamble's playout is released (rejects)
  interrupt → audio cut           the output reports the cut (and how much was heard)
  interrupt → next reply audible  the first frame of the next speech goes to the output

Writes into --out:
  heard.wav       what the listener heard (cut where playback stopped, silent while held)
  trace.jsonl     the XState inspection events of every actor and the conversation: user input,
                  what was heard, tool arguments and outputs (speechcharts inspect <file>)
  timeline.svg    one lane per actor, state spans coloured, the interrupt marked, the figures drawn
  With "userAudio" also:
  user.wav        the user's microphone track (what the VAD heard)
  conversation.wav  heard.wav and user.wav mixed, in time

Options:
  --out DIR              where to write the files (default: out)
  --realtime             real time, real audio (default)
  --virtual              virtual time: instant, deterministic (synthetic voice, no audio device)
  --room                 join a LiveKit room instead (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET):
                         the agent's voice is published as a microphone track; user input comes
                         from data messages on topic "user_input" (text, or JSON {"text","interrupt","force"})
                         and from chat text ("lk.chat"); each one interrupts, then asks for a reply.
                         The agent stays in the room after the scenario until Ctrl-C (unless --once).
  --room-name NAME       room to join (default: speechcharts-demo)
  --identity ID          the agent's identity (default: speechcharts-agent)
  --connect-timeout MS   give up connecting after MS (default: 5000)
  Room input (each accepted message costs an interrupt and an LLM call; each refusal is logged,
  naming the sender and the reason):
  --allow-identity ID    accept input only from ID (repeat for more); default: every participant
  --force-identity ID    honour "force": true only from ID (repeat for more); default: the
                         --allow-identity identities, or nobody when there are none. A "force" from
                         anyone else is dropped: the text is delivered as an ordinary interrupt
  --max-input-bytes N    refuse a message over N bytes of UTF-8 (default: 4096)
  --input-rate N/SECS    accept at most N messages per SECS seconds per sender (default: 5/10)
  --once                 with --room: leave when the scenario is done
  --cold                 skip the warm-up: by default the scenario first runs once in virtual time
                         (silent, ~0.1 s) so the figures show a process that has served a turn, not
                         V8 compiling the interrupt path for the first time (which adds a few ms)
  --inspect              serve the run live in the inspector (prints its URL), and keep serving it
                         after the run until Ctrl-C
  --trace-no-text        leave conversation text out of trace.jsonl and the inspector: transcripts,
                         user input, what was heard, tool arguments and outputs, error messages
                         are written as "[omitted]" (who spoke, which tool, when, stay)
  --quiet                no live view, only the summary
  -h, --help             this help

Scenario format (JSON; errors name the bad field, e.g. "inputs[2].atMs must be a non-negative number"):
  {
    "name": "my-incident",
    "session": { "allowInterruptions": true, "maxToolSteps": 3, "instructions": "..." },
    "tools": { "slow_tool": { "durationMs": 1500, "waitForPlayout": true, "ignoreAbort": false,
                              "result": "done" | "throws": { "type": "ToolError" | "Error", "message": "..." } } },
    "replies": [ { "when": { "userInput": "..." } | { "afterTool": "slow_tool" } (none: the default reply),
                   "text": "preamble...", "toolCalls": [ { "name": "slow_tool", "arguments": {} } ],
                   "ttftMs": 150, "chunkDelayMs": 20 } ],
    "inputs": [ { "atMs": 0, "userInput": "..." },
                { "atMs": 1350, "interrupt": true, "force": true, "userInput": "..." },
                { "atMs": 2000, "say": "...", "priority": "high", "allowInterruptions": false } ],
    "userAudio": [ { "atMs": 2500, "noise": { "durationMs": 800, "kind": "cough" } },
                   { "atMs": 700, "text": "Actually, never mind", "voice": "en-us+f3",
                     "transcript": { "interim": [ { "afterMs": 800, "text": "Actually" } ],
                                     "final": "Actually, never mind", "finalAfterEndMs": 300 } } ],
    "voice": { "userVoice": "en-us+f3",
               "bargeIn": { "minInterruptionDuration": 500, "minInterruptionWords": 0,
                            "falseInterruptionTimeout": 2000, "resumeFalseInterruption": true,
                            "discardAudioIfUninterruptible": true },
               "vad": { "activationThreshold": 0.5, "minSilenceDuration": 550 } },
    "maxDurationMs": 30000
  }
  With agents (see examples/handoff-during-tool.json):
    "agents": { "greeter": { "instructions": "...", "tools": ["transfer"] },
                "booking": { "instructions": "...", "tools": ["collect_phone"],
                             "onEnter": { "say": "..." } | { "generateReply": { "instructions": "..." } } },
                "phone_task": { "task": true, "instructions": "...", "tools": ["save_phone"] } },
    "startAgent": "greeter",
    "tools": { "transfer": { "handoff": "booking" | { "agent": "booking", "returns": "..." } },
               "collect_phone": { "runTask": "phone_task" },
               "save_phone": { "complete": true } | { "completeWith": "a value" } },
    "replies": [ { "when": { "agent": "booking", "afterHandoff": true }, "text": "..." },
                 { "when": { "agent": "booking", "afterTool": "collect_phone" },
                   "text": "We will text {{output.phone}}." } ]
  A handoff happens once the step that called its tool played whole; interrupted, it does not
  happen and the tool's output says so. Without "returns" the new agent speaks first.
  An input with "interrupt" calls session.interrupt({ force }) first, then (without awaiting it)
  generateReply({ userInput }) or say(text), as LiveKit's API-injected input does.
  "userAudio" is the user's voice: words synthesized with espeak-ng (a voice other than the
  agent's) or a noise, mixed into the microphone track at atMs, resampled to 16 kHz and heard by the
  real Silero VAD (offline); the barge-in policy pauses, resumes or interrupts the agent; the STT is
  scripted ("transcript": interims after the speech starts, the final after it ends, which becomes
  generateReply({ userInput })). A noise has no transcript: a false interruption.

Exit status: 0 when the scenario completed; 1 on an error (e.g. the room is unreachable);
2 for a bad scenario or bad options; 3 when the run was still busy at maxDurationMs (a hang).
`;

export const SUB_HELP: Record<string, string> = {
  run: RUN_HELP,
  check: `speechcharts check [--deep]
speechcharts check --agent <module>

Without --agent: explores every reachable state of each machine and of the composed system (the session's own
routing over the machines: scheduler, speeches, tool runs, agents with handoffs and tasks, with tools that say,
reply and interrupt) and checks the invariants (every state that holds waiters handles INTERRUPT, no timers, no
wait-for cycle, every speech and agent transition can end, close completes, history in the order heard, ...).
Prints the shortest event path to any violation. --deep explores three speeches (minutes instead of seconds). It verifies speechcharts' own machines and routing.

With --agent <module>: your module exports an Agent or a list of Agents (default, agents or agent; .ts needs tsx).
Each of their tools is explored doing what it declares in tool({ behavior }): awaitsPlayout, says, replies,
interrupts, handsOff, runsTask, throws, awaitsOwnSpeech; a tool without a declaration only returns. The session's
real routing runs every interleaving of those with user turns, the pipeline, interrupts, handoffs and close.

What is proven: for the declared behaviours, within the bounds (2 speeches, 1 tool call each, 1 agent transition),
no deadlock (no wait-for cycle), every speech and agent transition can end once I/O completes, close completes
from every state, no user input is dropped, waiters settle the way their machine ended.
What is not: that your tools' code does what they declare (the check never runs it), anything about your
prompts, your LLM's answers, your models or plugins, timing, or behaviour beyond the bounds.
`,
  paths: `speechcharts paths <machine>\n\nLists the paths through one machine (speechHandle, toolRun, scheduler, agentState).\n`,
  inspect: `speechcharts inspect [trace.jsonl]\n\nServes the inspector: replays a trace written by \`speechcharts run\` (out/trace.jsonl), or without one runs the seed demo live. Ctrl-C to quit.\n`,
};
