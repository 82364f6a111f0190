import { redactText } from '@databus/common';
import { DatabusHeaders } from '../message/headers';
import { DatasetMessage } from '../message/dataset-message';
import { OutgoingRecord } from '../transport/transport-record.interface';

/** One line describing an error, secrets masked, for headers and logs. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) {
    const response = (error as { getResponse?: () => unknown }).getResponse?.();
    const detail =
      response && typeof response === 'object' && 'message' in response
        ? (response as { message: unknown }).message
        : undefined;
    const message =
      detail !== undefined && detail !== error.message
        ? `${error.message}: ${JSON.stringify(detail)}`
        : error.message;
    return { name: error.name, message: redactText(message).slice(0, 1000) };
  }
  return { name: 'Error', message: redactText(String(error)).slice(0, 1000) };
}

/** The copy of `message` sent to the dead-letter dataset: same key and body, the failure in its headers. */
export function deadLetterRecord(
  message: DatasetMessage,
  error: unknown,
  attempts: number,
  group: string | undefined,
): OutgoingRecord {
  const { name, message: text } = describeError(error);
  const headers: Record<string, string> = {
    ...message.headers,
    [DatabusHeaders.ERROR_NAME]: name,
    [DatabusHeaders.ERROR_MESSAGE]: text,
    [DatabusHeaders.ATTEMPTS]: String(attempts),
    [DatabusHeaders.SOURCE_DATASET]: message.dataset,
    [DatabusHeaders.SOURCE_SEQUENCE]: String(message.sequence),
    [DatabusHeaders.FAILED_AT]: new Date().toISOString(),
  };
  if (message.key !== undefined) headers[DatabusHeaders.SOURCE_KEY] = message.key;
  if (group !== undefined) headers[DatabusHeaders.SOURCE_GROUP] = group;
  return { key: message.key, headers, data: message.data };
}
