import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };

/** Every schema of the contract, by its name in the OpenAPI document. */
export type Schemas = components["schemas"];
export type Ticket = Schemas["TicketDto"];
export type TicketPage = Schemas["TicketPageDto"];
export type TicketDetails = Schemas["TicketDetailsDto"];
export type TicketMessage = Schemas["TicketMessageDto"];
export type Attachment = Schemas["AttachmentDto"];
export type Campaign = Schemas["CampaignDto"];
export type CampaignPage = Schemas["CampaignPageDto"];
export type CreateCampaignRequest = Schemas["CreateCampaignRequest"];
export type SegmentCriteria = Schemas["SegmentCriteria"];
export type CampaignPreview = Schemas["CampaignPreviewDto"];
export type Contact = Schemas["ContactDto"];
export type ContactPage = Schemas["ContactPageDto"];
export type ContactImportRow = Schemas["ContactImportRow"];
export type ContactImportResult = Schemas["ContactImportResultDto"];
export type ChatMessageRequest = Schemas["ChatMessageRequest"];
export type ChatReceipt = Schemas["ChatReceipt"];
export type ConversationMessage = Schemas["ConversationMessage"];
export type QuarantinedEmail = Schemas["QuarantinedEmailDto"];
export type ProblemDetails = Schemas["ProblemDetails"] & { errors?: Record<string, string[]> };
export type TicketStatus = "open" | "pending" | "solved" | "closed";

/** How to reach the API, and as whom. */
export interface CrmClientOptions {
  /** The .NET host's base URL, e.g. `https://crm.example.com` (a path prefix is kept). */
  baseUrl: string;
  /**
   * A key from the host's `Crm:ApiKeys`, sent as `X-Api-Key`. It names a role: keep it on the server (a loader or an
   * action), never in code that reaches a browser.
   */
  apiKey?: string;
  /** A fetch of your own (tests, a proxy agent); the platform's by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** A refused request: the HTTP status and the server's RFC 7807 problem details, when it sent them. */
export class CrmApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | undefined;

  constructor(status: number, problem: ProblemDetails | undefined) {
    const errors = problem?.errors ? Object.values(problem.errors).flat().join(" ") : undefined;
    super(errors || problem?.detail || problem?.title || `The CRM answered ${status}.`);
    this.name = "CrmApiError";
    this.status = status;
    this.problem = problem;
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    throw new CrmApiError(response.status, (error ?? undefined) as ProblemDetails | undefined);
  }

  return data as T;
}

/** A reply: text, optional HTML, optional files (sent as multipart/form-data). */
export interface ReplyInput {
  text: string;
  html?: string;
  files?: ReadonlyArray<Blob & { name?: string }>;
}

/**
 * A typed client of the CRM's HTTP API. `raw` is the underlying openapi-fetch client, typed from the committed
 * OpenAPI document, for any call the helpers do not cover; the helpers throw {@link CrmApiError} on a refusal.
 */
export function createCrmClient(options: CrmClientOptions) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) {
    headers["X-Api-Key"] = options.apiKey;
  }

  const raw: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return {
    raw,
    tickets: {
      list: (query: { channel?: string; status?: TicketStatus; page?: number; pageSize?: number } = {}) =>
        unwrap<TicketPage>(raw.GET("/tickets", { params: { query } })),
      get: (id: number, window: { before?: number; after?: number; limit?: number } = {}) =>
        unwrap<TicketDetails>(raw.GET("/tickets/{id}", { params: { path: { id }, query: window } })),
      setStatus: (id: number, status: TicketStatus) =>
        unwrap<Ticket>(raw.PATCH("/tickets/{id}", { params: { path: { id } }, body: { status } })),
      reply: (id: number, reply: ReplyInput) => {
        if (!reply.files?.length) {
          return unwrap<TicketMessage>(raw.POST("/tickets/{id}/replies", { params: { path: { id } }, body: { text: reply.text, html: reply.html ?? null } }));
        }

        const form = new FormData();
        form.append("text", reply.text);
        if (reply.html) {
          form.append("html", reply.html);
        }

        for (const file of reply.files) {
          form.append("files", file, file.name ?? "attachment");
        }

        return unwrap<TicketMessage>(raw.POST("/tickets/{id}/replies", {
          params: { path: { id } },
          body: form as never,
          bodySerializer: (body: unknown) => body as FormData,
        }));
      },
    },
    quarantine: {
      list: () => unwrap<QuarantinedEmail[]>(raw.GET("/tickets/quarantine")),
      makeTicket: (id: number, email?: string) => unwrap<Ticket>(raw.POST("/tickets/quarantine/{id}/ticket", { params: { path: { id } }, body: { email: email ?? null } })),
      remove: (id: number) => unwrap<void>(raw.DELETE("/tickets/quarantine/{id}", { params: { path: { id } } })),
    },
    campaigns: {
      list: (query: { page?: number; pageSize?: number } = {}) => unwrap<CampaignPage>(raw.GET("/bulk-email", { params: { query } })),
      get: (id: number) => unwrap<Campaign>(raw.GET("/bulk-email/{id}", { params: { path: { id } } })),
      create: (campaign: CreateCampaignRequest) => unwrap<Campaign>(raw.POST("/bulk-email", { body: campaign })),
      pause: (id: number) => unwrap<Campaign>(raw.POST("/bulk-email/{id}/pause", { params: { path: { id } } })),
      resume: (id: number) => unwrap<Campaign>(raw.POST("/bulk-email/{id}/resume", { params: { path: { id } } })),
      cancel: (id: number) => unwrap<Campaign>(raw.POST("/bulk-email/{id}/cancel", { params: { path: { id } } })),
      countRecipients: (segment: SegmentCriteria | null) =>
        unwrap<Schemas["RecipientCountDto"]>(raw.POST("/bulk-email/recipient-count", { body: { segment } })),
      preview: (subject: string, body: string) =>
        unwrap<CampaignPreview>(raw.POST("/bulk-email/preview", { body: { subject, body } as CreateCampaignRequest })),
      sendTest: (subject: string, body: string, to: string) =>
        unwrap<void>(raw.POST("/bulk-email/test", { body: { subject, body, to } })),
    },
    contacts: {
      list: (query: { tag?: string[]; page?: number; pageSize?: number } = {}) => unwrap<ContactPage>(raw.GET("/contacts", { params: { query } })),
      import: (rows: ContactImportRow[]) => unwrap<ContactImportResult>(raw.POST("/contacts", { body: rows })),
      tags: () => unwrap<Array<Schemas["TagCountDto"]>>(raw.GET("/contacts/tags")),
    },
    chat: {
      /** The visitor's side: posts a chat message (the widget does this for you). */
      send: (message: ChatMessageRequest, visitorToken?: string) =>
        unwrap<ChatReceipt>(raw.POST("/tickets", {
          params: { query: { channel: "chat" } },
          body: message,
          ...(visitorToken ? { headers: { Authorization: `Bearer ${visitorToken}` } } : {}),
        })),
      transcript: (conversationId: string, visitorToken: string, after?: number) =>
        unwrap<ConversationMessage[]>(raw.GET("/chat/conversations/{conversationId}/messages", {
          params: { path: { conversationId }, query: after === undefined ? {} : { after } },
          headers: { Authorization: `Bearer ${visitorToken}` },
        })),
    },
  };
}

/** The client {@link createCrmClient} makes. */
export type CrmClient = ReturnType<typeof createCrmClient>;
