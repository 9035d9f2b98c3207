import type { Db, Trx } from '../../db/database.js';
import { DECISION_KIND_LABELS, fenToYuan, yuanToFen, type DecisionKind } from './article20.js';
import { decisionNumberKey, normalizeName, parseImportDate } from './article20-import.js';
import type { IsoDate } from '../../shared/dates.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import * as decisions from './decision.repository.js';
import * as fees from './fee.repository.js';
import { findOrganById } from '../catalog/organ.service.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { translateDbError } from '../../db/db-errors.js';

export interface Article20Deps {
  db: Db;
  clock: Clock;
}

export interface NewDecisionInput {
  kind: DecisionKind;
  decision_number: string;
  decided_on: IsoDate;
  organ_id: number;
}

export interface NewFeeInput {
  organ_id: number;
  item: string;
  amount_yuan: string;
  collected_on: IsoDate;
  receipt_number?: string | null | undefined;
}

/** Decisions and fees, typed in or imported, are written by the holders of one permission. */
export function assertCanRecord(actor: Actor) {
  if (!can(actor, 'decision:write')) throw new ForbiddenError();
}

/** One decision typed in by hand; the same (kind, organ, number) twice is a conflict. */
export async function createDecision({ db, clock }: Article20Deps, actor: Actor, input: NewDecisionInput) {
  assertCanRecord(actor);
  const decidedOn = dateField(input.decided_on, 'decided_on', '决定日期', clock.today());
  const values: decisions.DecisionValues = {
    kind: input.kind,
    organ_id: input.organ_id,
    decision_number: normalizeName(input.decision_number),
    decision_number_key: decisionNumberKey(input.decision_number),
    decided_on: decidedOn,
  };
  try {
    return await db.transaction().execute(async (trx) => {
      const organ = await requireOrgan(trx, input.organ_id);
      const id = await decisions.insertDecision(trx, values, actor.userId);
      if (id === undefined) {
        const existing = await decisions.findDecisionByKey(trx, values);
        const message = `该机关已登记过此${DECISION_KIND_LABELS[values.kind]}决定${existing ? `（${existing.decision_number}，${existing.decided_on}）` : ''}`;
        throw new ConflictError(message, { decision_number: message });
      }
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'decision.create', entity: 'decision', entityId: id, after: values });
      return {
        id,
        kind: values.kind,
        kind_label: DECISION_KIND_LABELS[values.kind],
        decision_number: values.decision_number,
        decided_on: values.decided_on,
        organ: { id: organ.id, name: organ.name },
      };
    });
  } catch (error) {
    throw translateDbError(error);
  }
}

/** One fee record typed in by hand, a new payment unless its receipt number is already stored. */
export async function createFee({ db, clock }: Article20Deps, actor: Actor, input: NewFeeInput) {
  assertCanRecord(actor);
  const values = feeValues(input, clock.today());
  try {
    return await db.transaction().execute(async (trx) => {
      const organ = await requireOrgan(trx, input.organ_id);
      const id = await fees.insertFee(trx, values, actor.userId);
      if (id === undefined) {
        throw values.receipt_number === null
          ? new ConflictError('同一笔收费正被同时登记，请重试')
          : new ConflictError('该机关已登记过此票据号的收费', { receipt_number: '该机关已登记过此票据号的收费' });
      }
      const after = { ...values, amount_fen: values.amount_fen.toString() };
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'fee.create', entity: 'fee', entityId: id, after });
      return {
        id,
        item: values.item,
        amount_fen: Number(values.amount_fen),
        amount_yuan: fenToYuan(values.amount_fen),
        collected_on: values.collected_on,
        receipt_number: values.receipt_number,
        organ: { id: organ.id, name: organ.name },
      };
    });
  } catch (error) {
    throw translateDbError(error);
  }
}

function feeValues(input: NewFeeInput, today: IsoDate): fees.FeeValues {
  const collectedOn = dateField(input.collected_on, 'collected_on', '收费日期', today);
  let amountFen: bigint;
  try {
    amountFen = yuanToFen(input.amount_yuan);
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError('金额有误', { amount_yuan: error.message });
    throw error;
  }
  const receipt = input.receipt_number ? normalizeName(input.receipt_number) : '';
  return {
    organ_id: input.organ_id,
    item: normalizeName(input.item),
    amount_fen: amountFen,
    collected_on: collectedOn,
    receipt_number: receipt === '' ? null : receipt,
  };
}

async function requireOrgan(trx: Trx, organId: number) {
  const organ = await findOrganById(trx, organId);
  if (!organ) throw new ValidationError('实施机关不存在', { organ_id: '实施机关不存在' });
  return organ;
}

function dateField(value: string, field: string, label: string, today: IsoDate): IsoDate {
  try {
    return parseImportDate(value, today, label);
  } catch (error) {
    if (error instanceof RangeError) throw new ValidationError(`${label}有误`, { [field]: error.message });
    throw error;
  }
}
