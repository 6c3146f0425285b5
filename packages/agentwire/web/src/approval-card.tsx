import { useState } from 'react';
import type { MessagePart } from '../../src/index.js';
import { formatValue } from './dom.js';

type ApprovalPart = Extract<MessagePart, { type: 'approval' }>;

const RESOLVED: Record<Exclude<ApprovalPart['status'], 'pending'>, string> = {
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired: no answer in time',
  cancelled: 'Cancelled: the run ended',
};

export interface ApprovalCardProps {
  part: ApprovalPart;
  /** Sends the answer; resolves once the request is resolved (by this answer or another tab's). */
  onAnswer(toolCallId: string, approved: boolean): Promise<void>;
}

/**
 * An agent's request to run a tool (protocol 1.2 "Approvals"): Approve / Deny while it is
 * pending, in every tab of the user, and after a reload (history keeps the part pending).
 * The first answer from any tab wins; each tab then shows the resolution the stream
 * brought, not what it clicked itself.
 */
export function ApprovalCard({ part, onAnswer }: ApprovalCardProps) {
  const [answering, setAnswering] = useState(false);
  const pending = part.status === 'pending';
  const answer = (approved: boolean) => {
    setAnswering(true);
    onAnswer(part.tool_call_id, approved).finally(() => setAnswering(false));
  };
  return (
    <div className={`approval approval--${part.status}`} data-testid="approval" data-tool-call-id={part.tool_call_id} data-status={part.status}>
      <div className="approval__question">
        {pending ? 'The agent asks to run ' : 'The agent asked to run '}
        <code className="approval__tool">{part.tool_name}</code>
      </div>
      <pre className="approval__args" data-testid="approval-args">
        {formatValue(part.args)}
      </pre>
      {pending ? (
        <div className="approval__actions">
          <button className="button approval__approve" type="button" data-testid="approve" disabled={answering} onClick={() => answer(true)}>
            Approve
          </button>
          <button className="button button--secondary approval__deny" type="button" data-testid="deny" disabled={answering} onClick={() => answer(false)}>
            Deny
          </button>
        </div>
      ) : (
        <div className="approval__resolution" data-testid="approval-resolution">
          {RESOLVED[part.status]}
        </div>
      )}
    </div>
  );
}
