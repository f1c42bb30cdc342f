// Which projects a caller's groups grant, from the access section.
import { createProjectAccess, type AccessSettings, type ProjectAccess } from '../auth';
import type { GatewayConfig } from '../config/schema';
import type { PieceFactory } from './Pool';

export const projectAccessFactory = () => ({
  name: 'project-access',
  select: (config: GatewayConfig): AccessSettings => config.access,
  build: (settings: AccessSettings) => ({ value: createProjectAccess(settings), close: () => undefined }),
}) satisfies PieceFactory<GatewayConfig, [], AccessSettings, ProjectAccess>;
