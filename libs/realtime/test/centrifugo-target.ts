import { FakeCentrifugo } from './fake-centrifugo';

/** Where the client suite runs: a real Centrifugo when both env vars are set, else the fake. */
export interface CentrifugoTarget {
  apiUrl: string;
  apiKey: string;
  /** The fake, when the suite runs on it (for assertions only the fake can make). */
  fake?: FakeCentrifugo;
  close(): Promise<void>;
}

/** A real server: `CENTRIFUGO_API_URL=http://localhost:8000/api CENTRIFUGO_API_KEY=… npx jest libs/realtime`. */
export function realCentrifugo(): { apiUrl: string; apiKey: string } | undefined {
  const apiUrl = process.env.CENTRIFUGO_API_URL;
  const apiKey = process.env.CENTRIFUGO_API_KEY;
  return apiUrl && apiKey ? { apiUrl, apiKey } : undefined;
}

/** Label for describe titles, so a run says which server it used. */
export const TARGET_LABEL = realCentrifugo() ? 'real Centrifugo (CENTRIFUGO_API_URL)' : 'fake Centrifugo';

export async function startTarget(): Promise<CentrifugoTarget> {
  const real = realCentrifugo();
  if (real) return { ...real, close: async () => undefined };
  const apiKey = 'test-api-key-do-not-log';
  const fake = await FakeCentrifugo.start({ apiKey });
  return { apiUrl: fake.apiUrl, apiKey, fake, close: () => fake.close() };
}
