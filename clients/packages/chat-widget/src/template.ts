// The widget's markup and styles: inside a Shadow DOM, so the host page's CSS cannot reach in and these cannot leak out.
// The data-testid names are a contract (browser tests of the Razor UI, the widget and the React app rely on them).

export const styles = `
:host { all: initial; }
* { box-sizing: border-box; font-family: "Avenir Next", "Futura", "Century Gothic", "Segoe UI", system-ui, sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; background: #14213d; color: #f7f4ee; border: 1px solid #b08d57;
  border-radius: 999px; padding: 12px 20px; font-size: 15px; cursor: pointer; box-shadow: 0 6px 18px rgba(20,33,61,.25); }
.launcher:hover { background: #24345a; }
.launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 2px solid #7a5c2e; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 80px; z-index: 2147483000; width: 340px; max-height: calc(100vh - 110px); display: flex;
  flex-direction: column; background: #f7f4ee; color: #1c2333; border: 1px solid #d9d1c3; border-top: 3px solid #b08d57; border-radius: 6px;
  box-shadow: 0 12px 32px rgba(20,33,61,.22); overflow: hidden; }
.panel[hidden] { display: none; }
.head { display: flex; justify-content: space-between; align-items: center; padding: 14px 16px; background: #14213d; color: #f7f4ee; }
h2 { margin: 0; font: 500 18px/1.2 "Playfair Display", Georgia, serif; }
.close { background: none; border: 0; color: #f7f4ee; font-size: 22px; line-height: 1; cursor: pointer; padding: 2px 6px; }
.transcript { list-style: none; margin: 0; padding: 12px 16px; overflow-y: auto; flex: 1; min-height: 60px; display: flex; flex-direction: column; gap: 8px; }
.transcript li { max-width: 85%; border-radius: 10px; padding: 8px 10px; font-size: 14px; white-space: pre-wrap; word-break: break-word; }
.transcript .inbound { align-self: flex-end; background: #fff; border: 1px solid #d9d1c3; border-bottom-right-radius: 2px; }
.transcript .outbound { align-self: flex-start; background: #14213d; color: #f7f4ee; border-bottom-left-radius: 2px; }
.transcript .author { display: block; font-size: 11px; letter-spacing: .06em; text-transform: uppercase; color: #d8c7a5; margin-bottom: 2px; }
.transcript .hint { align-self: stretch; max-width: none; color: #4b5563; font-size: 13px; padding: 0; }
.note { margin: 0 16px 8px; font-size: 13px; color: #4b5563; }
.note[hidden] { display: none; }
form { padding: 12px 16px 16px; border-top: 1px solid #d9d1c3; display: grid; gap: 8px; }
label { font-size: 11px; letter-spacing: .08em; text-transform: uppercase; color: #4b5563; }
input, textarea { width: 100%; font-size: 14px; padding: 8px 10px; border: 1px solid #8d8577; border-radius: 4px; background: #fff; color: #1c2333; }
textarea { min-height: 70px; resize: vertical; }
input[type=file] { padding: 4px; font-size: 13px; }
.transcript .file { display: block; margin-top: 4px; color: inherit; }
.transcript .file img { display: block; max-width: 100%; max-height: 160px; border-radius: 3px; margin-top: 4px; }
.send { background: #14213d; color: #fff; border: 0; border-radius: 4px; padding: 10px; font-size: 15px; cursor: pointer; }
.send[disabled] { opacity: .6; cursor: wait; }
.error { color: #9b2c2c; font-size: 13px; min-height: 1em; margin: 0; }
.who[hidden] { display: none; }
@media (max-width: 480px) { .panel { right: 0; left: 0; bottom: 0; width: 100%; max-height: 85vh; border-radius: 6px 6px 0 0; } .launcher { right: 12px; bottom: 12px; } }
`;

export const template = `
<button class="launcher" type="button" aria-expanded="false" aria-controls="crm-chat-panel" data-testid="crm-chat-open"></button>
<section class="panel" id="crm-chat-panel" role="dialog" aria-labelledby="crm-chat-title" hidden>
  <div class="head"><h2 id="crm-chat-title"></h2><button class="close" type="button" aria-label="Close chat">×</button></div>
  <ol class="transcript" aria-live="polite" data-testid="crm-chat-transcript"></ol>
  <p class="note" role="status" data-testid="crm-chat-note" hidden></p>
  <form novalidate>
    <div class="who">
      <label for="crm-chat-name">Name</label>
      <input id="crm-chat-name" name="name" autocomplete="name" maxlength="200" data-testid="crm-chat-name">
      <label for="crm-chat-email">Email</label>
      <input id="crm-chat-email" name="email" type="email" autocomplete="email" required data-testid="crm-chat-email">
    </div>
    <label for="crm-chat-message">Message</label>
    <textarea id="crm-chat-message" name="message" required maxlength="10000" data-testid="crm-chat-message"></textarea>
    <label for="crm-chat-file">Attach a picture, PDF or text file (optional)</label>
    <input id="crm-chat-file" name="file" type="file" accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain" data-testid="crm-chat-file">
    <p class="error" role="alert" data-testid="crm-chat-error"></p>
    <button class="send" type="submit" data-testid="crm-chat-send">Send</button>
  </form>
</section>`;
