import { Input } from '@tarojs/components';
import { strings } from '../strings.ts';

/**
 * The identity proof the card centre asks for where a PIN cannot serve (a first PIN, a forgotten
 * one, cancelling a loss someone else reported): the holder's name and an activation code or ID tail.
 */
export function IdentityProofFields(props: {
  idPrefix: string;
  name: string;
  proof: string;
  onName: (value: string) => void;
  onProof: (value: string) => void;
}) {
  return (
    <>
      <Input
        id={`${props.idPrefix}-name`}
        className="form-input"
        placeholder={strings.cardActions.cancelLossName}
        value={props.name}
        onInput={(event) => props.onName(event.detail.value)}
      />
      <Input
        id={`${props.idPrefix}-proof`}
        className="form-input"
        password
        maxlength={12}
        placeholder={strings.cardActions.cancelLossCode}
        value={props.proof}
        onInput={(event) => props.onProof(event.detail.value)}
      />
    </>
  );
}
