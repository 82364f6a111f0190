import { ConfigurationError } from '@databus/common';

/** The qualified names of the package's tables in one schema. */
export interface TableNames {
  schema: string;
  outbox: string;
  inbox: string;
  /** The relay's dead-letter table (`databus_outbox_dead`, migration 2). */
  dead: string;
  version: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes `schema` for SQL after checking it is a plain identifier (it is pasted into statements). */
export function tableNames(schema = 'public', option = 'schema'): TableNames {
  if (typeof schema !== 'string' || !IDENTIFIER.test(schema))
    throw new ConfigurationError(option, 'a PostgreSQL identifier (letters, digits, _; at most 63)', {
      received: JSON.stringify(schema),
    });
  const q = `"${schema}"`;
  return {
    schema,
    outbox: `${q}.databus_outbox`,
    inbox: `${q}.databus_inbox`,
    dead: `${q}.databus_outbox_dead`,
    version: `${q}.databus_outbox_schema`,
  };
}
