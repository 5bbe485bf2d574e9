import { Button, Result } from 'antd';
import { workbenchText } from '../strings.ts';

/** What a route outside the admin's rights shows: 无权访问, and the way back to the workbench. */
export function ForbiddenPage({ onBack }: { onBack: () => void }) {
  return (
    <div data-testid="forbidden">
      <Result
        status="403"
        title={workbenchText.forbiddenTitle}
        subTitle={workbenchText.forbidden}
        extra={
          <Button type="primary" onClick={onBack}>
            {workbenchText.back}
          </Button>
        }
      />
    </div>
  );
}
