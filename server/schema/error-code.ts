/**
 * The `ErrorCode` enum of the schema: the product's one error vocabulary (errors/error-codes.ts)
 * with each code's sentence as its description. The SDK's error type is generated from it, so a
 * client that misspells a code fails to compile.
 */
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ERROR_CODES, ERROR_CODE_LIST, type ErrorCode } from '../../errors/error-codes.js';

export const ErrorCodeEnum = Object.fromEntries(ERROR_CODE_LIST.map((c) => [c, c])) as { [C in ErrorCode]: C };

registerEnumType(ErrorCodeEnum, {
  name: 'ErrorCode',
  description: 'The code in every error\'s `extensions.code` (and in job and upload results).',
  valuesConfig: Object.fromEntries(ERROR_CODE_LIST.map((c) => [c, { description: ERROR_CODES[c] }])),
});

@ObjectType({ description: 'An error code and what it means.' })
export class ErrorCodeInfo {
  @Field(() => ErrorCodeEnum, { description: 'The code, as in extensions.code.' })
  code!: ErrorCode;

  @Field({ description: 'What it means.' })
  description!: string;
}

export function errorCodeInfos(): ErrorCodeInfo[] {
  return ERROR_CODE_LIST.map((code) => ({ code, description: ERROR_CODES[code] }));
}
