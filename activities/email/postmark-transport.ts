// Postmark through the official `postmark` client. The client is pointed at any Postmark-compatible
// host with `requestHost` / `useHttps` (tests use a local server over plain HTTP).
import { ServerClient, type Models } from 'postmark';
import { metadataValue, type PostmarkRequest } from './message.ts';

export const POSTMARK_API_URL = 'https://api.postmarkapp.com';

export interface PostmarkSettings {
  serverToken: string;
  /** Base URL of the Postmark API; default https://api.postmarkapp.com. */
  apiUrl?: string;
  /** Per-request timeout in seconds (the client's default is 180 s; keep it under the activity's timeout). */
  timeoutSeconds?: number;
}

export function createPostmarkClient(settings: PostmarkSettings): ServerClient {
  const url = new URL(settings.apiUrl ?? POSTMARK_API_URL);
  const path = url.pathname.replace(/\/+$/, '');
  return new ServerClient(settings.serverToken, {
    useHttps: url.protocol === 'https:',
    requestHost: `${url.host}${path}`,
    timeout: settings.timeoutSeconds ?? 30,
  });
}

export interface PostmarkAccepted {
  messageId: string;
  submittedAt: string;
}

export async function submitToPostmark(client: ServerClient, request: PostmarkRequest): Promise<PostmarkAccepted> {
  const response =
    request.endpoint === '/email'
      ? await client.sendEmail(request.body as unknown as Models.Message)
      : await client.sendEmailWithTemplate(request.body as unknown as Models.TemplatedMessage);
  return { messageId: response.MessageID, submittedAt: response.SubmittedAt };
}

/**
 * Looks a send key up in Postmark's outbound message search (`/messages/outbound?metadata_sendKey=…`):
 * the message id when Postmark already holds a message sent with that key.
 */
export async function findSentBySendKey(client: ServerClient, sendKey: string, messageStream: string): Promise<string | undefined> {
  const found = await client.getOutboundMessages({
    count: 1,
    offset: 0,
    messageStream,
    metadata_sendKey: metadataValue(sendKey),
  });
  return found.Messages[0]?.MessageID;
}
