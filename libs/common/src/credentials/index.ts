export type {
  BrokerCredentials,
  CredentialsRefreshInfo,
  CredentialsProvider,
} from './credentials-provider.interface';
export { staticCredentials } from './credentials-provider.interface';
