/** The app's one client and its transport (Electron IPC or the headless WebSocket). */
import { createClient, type SwitchboardClient } from '@shared/client';
import { createTransport, type ConnectionSource } from './transport';

const transport = createTransport();

export const client: SwitchboardClient = createClient(transport);
export const connection: ConnectionSource = transport;
