export { Governance, GovernanceMode } from './governance';
