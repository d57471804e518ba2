import { z } from "zod";
import { JottyError, type JsonValue } from "../errors/index.js";
import { parseEnvironmentOptions, TextEnvironment, type EnvironmentReset, type EnvironmentStep, type ResetOptions } from "./environment.js";

/** A tool the router can hand a request to. */
interface Tool {
  name: string;
  description: string;
  /** Request wordings; `{x}` is filled from `fillers`. The first three train, the last two are held out. */
  wordings: [string, string, string, string, string];
  fillers: [string, string, string, string];
}

const TOOLS: readonly Tool[] = [
  {
    name: "weather",
    description: "forecasts, temperature and rain for a place",
    wordings: ["Will it rain in {x} tomorrow?", "What is the weather forecast for {x}?", "How warm is it in {x} right now?", "Should I pack an umbrella for {x} this weekend?", "Give me the temperature outlook in {x}."],
    fillers: ["Lisbon", "Oslo", "Nairobi", "Denver"],
  },
  {
    name: "calendar",
    description: "meetings, appointments and free time in a schedule",
    wordings: ["Schedule a meeting with {x} on Friday.", "Am I free for an appointment with {x} tomorrow?", "Move my meeting with {x} to next week.", "Find a free slot in my schedule to see {x}.", "Book thirty minutes with {x} on Monday."],
    fillers: ["Ana", "the design team", "Dr. Reyes", "my manager"],
  },
  {
    name: "email",
    description: "writing, sending and reading email messages",
    wordings: ["Send an email to {x} about the invoice.", "Read my latest email from {x}.", "Draft a message to {x} saying I am late.", "Reply to the mail {x} sent this morning.", "Did {x} answer my message yet?"],
    fillers: ["Ana", "the landlord", "support", "my manager"],
  },
  {
    name: "translator",
    description: "translating words and sentences between languages",
    wordings: ["Translate 'good morning' into {x}.", "How do you say thank you in {x}?", "Translate this sentence into {x}: where is the station?", "What is the {x} word for bread?", "Put 'see you soon' in {x}, please."],
    fillers: ["Portuguese", "Japanese", "Swahili", "German"],
  },
  {
    name: "calculator",
    description: "arithmetic, percentages and sums of numbers",
    wordings: ["What is {x} plus 17?", "Calculate 15 percent of {x}.", "Divide {x} by 12.", "Multiply {x} by 3 and subtract 9.", "What do I get if I add {x} and 250?"],
    fillers: ["482", "1250", "73", "9600"],
  },
  {
    name: "maps",
    description: "directions, routes and travel time between places",
    wordings: ["How do I get to {x} from here?", "Show me the route to {x}.", "How long is the drive to {x}?", "What is the fastest way to reach {x} by train?", "Give me walking directions to {x}."],
    fillers: ["the airport", "the central station", "the museum", "Porto"],
  },
  {
    name: "stocks",
    description: "share prices and market moves of listed companies",
    wordings: ["What is the share price of {x}?", "How did {x} stock do today?", "Show the stock chart of {x} for this month.", "Is {x} trading up or down on the market?", "Quote me the current price of {x} shares."],
    fillers: ["Apple", "Siemens", "Toyota", "Nestle"],
  },
  {
    name: "currency",
    description: "converting amounts between currencies at exchange rates",
    wordings: ["Convert 100 euros to {x}.", "What is the exchange rate from dollars to {x}?", "How many {x} do I get for 50 pounds?", "Change 20 francs into {x} at today's rate.", "What are 300 euros worth in {x}?"],
    fillers: ["yen", "rupees", "pesos", "kronor"],
  },
  {
    name: "web-search",
    description: "looking up facts, news and pages on the web",
    wordings: ["Search the web for {x}.", "Look up the latest news about {x}.", "Find articles on {x}.", "Who won the latest award for {x}? Look it up.", "Google the history of {x} for me."],
    fillers: ["electric bikes", "the Olympic games", "sourdough baking", "solar panels"],
  },
  {
    name: "timer",
    description: "timers, alarms and countdowns",
    wordings: ["Set a timer for {x}.", "Wake me up with an alarm in {x}.", "Start a countdown of {x}.", "Ring an alarm after {x} for the oven.", "Remind me when {x} have passed on the timer."],
    fillers: ["ten minutes", "two hours", "forty seconds", "half an hour"],
  },
  {
    name: "music",
    description: "playing songs, albums and playlists",
    wordings: ["Play some {x} music.", "Put on a {x} playlist.", "Play the latest album of {x} songs.", "I want to listen to {x} songs now.", "Shuffle my {x} tracks, please."],
    fillers: ["jazz", "rock", "classical", "reggae"],
  },
  {
    name: "notes",
    description: "writing down and finding notes and lists",
    wordings: ["Write a note: {x}.", "Add {x} to my shopping list.", "Save a note that says {x}.", "Jot down {x} in my notebook.", "Put {x} on my to-do list."],
    fillers: ["buy milk", "call the plumber", "renew the passport", "water the plants"],
  },
];

/** A request and the tool that handles it. */
export interface ToolRequest {
  question: string;
  tool: string;
  /** The task type every request shares (it does not give the tool away). */
  template: string;
}

const ToolRequestSchema = z.strictObject({ question: z.string().min(1), tool: z.string().min(1), template: z.string().default("tool-request") });

/** Options of {@link ToolRouter}. */
export const ToolRouterOptionsSchema = z.strictObject({
  /** Whether each candidate names what its tool does. @default true */
  describeTools: z.boolean().default(true),
});

/** Options a user writes for {@link ToolRouter}. */
export type ToolRouterOptions = z.input<typeof ToolRouterOptionsSchema>;

/**
 * Routing a request to the right one of twelve tools, described in text: a contextual task
 * where the right action depends on the words of the request. Each tool has five wordings
 * with four fillers each; the first three wordings train and the last two are held out, so
 * the held-out split asks in wordings the team never saw. One step an episode: reward 1 for
 * the right tool, 0 otherwise.
 */
export class ToolRouter extends TextEnvironment {
  readonly name = "tool-router";
  readonly description = "Route each request to the one tool, of twelve, that handles it.";
  private readonly toolActions: string[];
  private readonly split: Record<"train" | "heldOut", ToolRequest[]>;
  private current: ToolRequest | undefined;

  /**
   * @param options - see {@link ToolRouterOptionsSchema}. @default {}
   * @throws JottyError `invalid_argument` naming every bad option.
   */
  constructor(input: ToolRouterOptions = {}) {
    super();
    const options = parseEnvironmentOptions(ToolRouterOptionsSchema, input, "tool-router");
    this.toolActions = TOOLS.map((tool) => (options.describeTools ? `${tool.name}: ${tool.description}` : tool.name));
    const requests = (wordings: readonly string[], tool: Tool): ToolRequest[] =>
      wordings.flatMap((wording) => tool.fillers.map((filler) => ({ question: wording.replace("{x}", filler), tool: tool.name, template: "tool-request" })));
    this.split = {
      train: TOOLS.flatMap((tool) => requests(tool.wordings.slice(0, 3), tool)),
      heldOut: TOOLS.flatMap((tool) => requests(tool.wordings.slice(3), tool)),
    };
  }

  /** The requests of a split: training wordings, or the held-out ones never trained on. */
  tasks(split: "train" | "heldOut" = "train"): ToolRequest[] {
    return this.split[split].map((request) => ({ ...request }));
  }

  /** The tool names. */
  tools(): string[] {
    return TOOLS.map((tool) => tool.name);
  }

  /** What an actor is shown for a request. */
  observationOf(question: string): string {
    return `Request: "${question}" Which tool handles it?`;
  }

  protected begin({ task }: ResetOptions): EnvironmentReset {
    if (task === undefined) {
      this.current = this.rng.choice(this.split.train);
    } else {
      const parsed = ToolRequestSchema.safeParse(task);
      if (!parsed.success || !TOOLS.some((tool) => tool.name === parsed.data.tool)) {
        throw new JottyError({
          code: "invalid_argument",
          message: `reset's task is not a tool-router request: give { question, tool } with tool one of ${TOOLS.map((tool) => tool.name).join(", ")}.`,
        });
      }
      this.current = parsed.data;
    }
    return { observation: this.observationOf(this.current.question), actions: [...this.toolActions], info: { question: this.current.question } };
  }

  /** The right tool's action for the current request (the answer key; never shown to actors). */
  goldAction(): string | undefined {
    const tool = this.current?.tool;
    return tool === undefined ? undefined : this.toolActions.find((action) => action.split(":")[0] === tool);
  }

  protected override episodeState(): JsonValue | undefined {
    return this.current === undefined ? undefined : { ...this.current };
  }

  protected override restoreEpisodeState(state: JsonValue): void {
    const parsed = ToolRequestSchema.safeParse(state);
    if (!parsed.success) throw new JottyError({ code: "snapshot_invalid", message: "Not a tool-router episode: it should be the request { question, tool }; pass what snapshotEpisode() returned." });
    this.current = parsed.data;
  }

  protected transition(action: string): EnvironmentStep {
    const request = this.current as ToolRequest;
    const chosen = action.split(":")[0] as string;
    const success = chosen === request.tool;
    return {
      observation: success ? `The ${chosen} tool handled the request.` : `The ${chosen} tool could not handle the request.`,
      actions: [],
      reward: success ? 1 : 0,
      done: true,
      info: { success, chosen, tool: request.tool },
    };
  }
}

/** The random policy's success rate on the tool router: one tool in twelve. */
export const TOOL_ROUTER_CHANCE = 1 / TOOLS.length;
