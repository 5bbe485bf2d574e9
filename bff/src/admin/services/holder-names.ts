import type { CoreClient } from '@campus-card/core/client';

/**
 * The holders' names of the cards a backoffice list shows (the core's rows keep card numbers): one
 * look-up a distinct card, a card that cannot be read named null rather than failing the list.
 */
export async function holderNames(
  core: CoreClient,
  cardNos: Iterable<string>,
): Promise<Map<string, string | null>> {
  const distinct = [...new Set(cardNos)];
  const names = await Promise.all(
    distinct.map((cardNo) =>
      core.getCard(cardNo).then(
        (c) => c.name,
        () => null,
      ),
    ),
  );
  return new Map(distinct.map((cardNo, i) => [cardNo, names[i] ?? null]));
}
