import { describe, expect, it } from 'vitest';
import { parseRedrivePolicy, receiveLimitOf, type RedrivePolicyRead } from '../../../src/domain/redrive-policy.js';

describe('parseRedrivePolicy: the RedrivePolicy attribute as SQS returns it', () => {
  const arn = 'arn:aws:sqs:us-east-1:123456789012:docsift-dlq';
  const cases: Array<{ name: string; raw: string | undefined; want: RedrivePolicyRead }> = [
    { name: 'AWS: count as a number', raw: `{"deadLetterTargetArn":"${arn}","maxReceiveCount":5}`, want: { kind: 'policy', maxReceiveCount: 5, deadLetterTargetArn: arn } },
    { name: 'count as a string (as some implementations store it)', raw: `{"deadLetterTargetArn":"${arn}","maxReceiveCount":"2"}`, want: { kind: 'policy', maxReceiveCount: 2, deadLetterTargetArn: arn } },
    { name: 'no target ARN still gives the limit', raw: '{"maxReceiveCount":3}', want: { kind: 'policy', maxReceiveCount: 3, deadLetterTargetArn: null } },
    { name: 'attribute absent: no policy', raw: undefined, want: { kind: 'none' } },
    { name: 'empty string: no policy', raw: '  ', want: { kind: 'none' } },
    { name: 'not JSON', raw: '{maxReceiveCount:5', want: { kind: 'invalid', reason: 'RedrivePolicy is not JSON' } },
    { name: 'JSON array', raw: '[5]', want: { kind: 'invalid', reason: 'RedrivePolicy is not a JSON object' } },
    { name: 'count 0', raw: '{"maxReceiveCount":0}', want: { kind: 'invalid', reason: 'RedrivePolicy maxReceiveCount must be an integer from 1 to 1000' } },
    { name: 'count over 1000', raw: '{"maxReceiveCount":1001}', want: { kind: 'invalid', reason: 'RedrivePolicy maxReceiveCount must be an integer from 1 to 1000' } },
    { name: 'fractional count', raw: '{"maxReceiveCount":2.5}', want: { kind: 'invalid', reason: 'RedrivePolicy maxReceiveCount must be an integer from 1 to 1000' } },
    { name: 'count missing', raw: `{"deadLetterTargetArn":"${arn}"}`, want: { kind: 'invalid', reason: 'RedrivePolicy maxReceiveCount must be an integer from 1 to 1000' } },
  ];
  it.each(cases)('$name', ({ raw, want }) => expect(parseRedrivePolicy(raw)).toEqual(want));

  it('only a valid policy gives a receive limit', () => {
    expect(receiveLimitOf({ kind: 'policy', maxReceiveCount: 4, deadLetterTargetArn: null })).toBe(4);
    expect(receiveLimitOf({ kind: 'none' })).toBeNull();
    expect(receiveLimitOf({ kind: 'invalid', reason: 'x' })).toBeNull();
  });
});
