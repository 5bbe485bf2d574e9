import { Button, Text, View } from '@tarojs/components';
import type { ReactNode } from 'react';
import { strings } from '../strings.ts';

interface Props {
  readonly loading: boolean;
  /** The sentence to show, already from the strings module (ApiError.userMessage). */
  readonly error?: string;
  readonly empty?: boolean;
  readonly emptyText?: string;
  readonly onRetry?: () => void;
  readonly children?: ReactNode;
}

/** Loading, error (with retry), empty, or the content: every list and detail page goes through it. */
export function StateView({ loading, error, empty, emptyText, onRetry, children }: Props) {
  if (loading) {
    return (
      <View className="state state-loading">
        <Text>{strings.common.loading}</Text>
      </View>
    );
  }
  if (error !== undefined) {
    return (
      <View className="state state-error">
        <Text className="state-text">{error}</Text>
        {onRetry ? (
          <Button className="btn btn-plain" onClick={onRetry}>
            {strings.common.retry}
          </Button>
        ) : null}
      </View>
    );
  }
  if (empty) {
    return (
      <View className="state state-empty">
        <Text>{emptyText ?? strings.common.empty}</Text>
      </View>
    );
  }
  return <>{children}</>;
}
