export { loadCrmChat } from "./widget.js";
export type { CrmChat, CrmChatEvents, CrmChatMessage, CrmChatOptions, CrmChatUser } from "./widget.js";
