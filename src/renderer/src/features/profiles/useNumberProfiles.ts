/** Which AI profile answers each inbound number (profiles.assignNumber), for Settings → Telephony. */
import { useCallback, useState } from 'react';
import type { AiProfileListItem } from '@shared/ai-profile';
import { client } from '../../lib/client';
import { useProfileList, useProfilesStore } from './store';

export interface NumberProfiles {
  list: AiProfileListItem[] | null;
  /** An assignment of this number is in flight. */
  busy: Record<string, boolean>;
  /** The core's refusal of the last assignment, by number. */
  errors: Record<string, string>;
  /** null: the default profile. */
  assign(phoneNumber: string, profileId: string | null): void;
}

export function useNumberProfiles(): NumberProfiles {
  const { list } = useProfileList({ refresh: true });
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});

  const assign = useCallback((phoneNumber: string, profileId: string | null) => {
    setBusy((b) => ({ ...b, [phoneNumber]: true }));
    client.invoke('profiles.assignNumber', { phoneNumber, profileId }).then(
      (next) => {
        useProfilesStore.getState().setList(next);
        setErrors((e) => ({ ...e, [phoneNumber]: '' }));
      },
      (err: unknown) => setErrors((e) => ({ ...e, [phoneNumber]: err instanceof Error ? err.message : "Couldn't change the number's profile" })),
    ).finally(() => setBusy((b) => ({ ...b, [phoneNumber]: false })));
  }, []);

  return { list, busy, errors, assign };
}
