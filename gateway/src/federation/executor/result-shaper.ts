/**
 * The final result shaping of the `native` executor: what `@apollo/gateway`'s `computeResponse`
 * (dist/resultShaping.js) does with the data the query plan gathered — keep only what the operation asked for, in
 * the order it asked, under its aliases, `__typename` filled in, fragments applied by type condition, `@skip` and
 * `@include` honoured, null propagated for non-null fields — with the same errors, messages and paths.
 *
 * Apollo walks the operation's generic `SelectionSet` on every request (directive look-ups, schema look-ups,
 * subtype checks, one result object per value). Here the operation is compiled once (cached with its query plan)
 * into plain nodes whose schema facts are pre-computed; the walk is the same algorithm, step for step, so the
 * output and the errors are those of Apollo by construction (and checked by the parity tests).
 */
import {
  assert,
  ERRORS,
  isCompositeType,
  isCustomScalarType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  typenameFieldName,
  Variable,
  type CompositeType,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';

/** Facts about the API schema that the shaper needs on every request, computed once per supergraph. */
export class ShapingSchema {
  readonly objectTypes = new Set<string>();
  readonly compositeTypes = new Set<string>();
  readonly allTypes = new Set<string>();

  constructor(readonly schema: Schema) {
    for (const type of schema.types()) {
      this.allTypes.add(type.name);
      if (isObjectType(type)) this.objectTypes.add(type.name);
      if (isCompositeType(type)) this.compositeTypes.add(type.name);
    }
    // Built-in scalars are not all listed by `types()` in every version; `type()` knows them.
    for (const name of ['String', 'Int', 'Float', 'Boolean', 'ID']) if (schema.type(name) !== undefined) this.allTypes.add(name);
  }
}

/** `@skip(if:)` / `@include(if:)`: a literal, or a variable read at request time. */
interface Condition {
  variable: string | undefined;
  literal: boolean;
  /** How Apollo names the directive in its assertion message (`@skip(if: $v)`). */
  printed: string;
}

const enum LeafKind {
  Custom,
  Boolean,
  Int,
  Id,
  Float,
  String,
  Enum,
}

interface ShapeType {
  kind: 'nonNull' | 'list' | 'composite' | 'leaf';
  /** The type as Apollo prints it in error messages (`[Review!]`, `Int!`). */
  printed: string;
  ofType: ShapeType | undefined;
  leaf: LeafKind;
  enumValues: Set<string> | undefined;
}

interface FieldNode {
  isField: true;
  skip: Condition | undefined;
  include: Condition | undefined;
  responseName: string;
  /** The response name is also a property of Object.prototype (`constructor`): read own properties only. */
  ownOnly: boolean;
  isTypename: boolean;
  type: ShapeType;
  selectionSet: SelectionNode[] | undefined;
}

interface FragmentNode {
  isField: false;
  skip: Condition | undefined;
  include: Condition | undefined;
  typeCondition: NamedType | undefined;
  /** Type-condition answers, memoised: key `t:<__typename>` or `p:<parent type>`. */
  applies: Map<string, boolean>;
  selectionSet: SelectionNode[];
}

type SelectionNode = FieldNode | FragmentNode;

export interface ShapeResult {
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLError[];
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** An operation compiled for shaping; `shape` runs per request. */
export class ResultShaper {
  private readonly root: SelectionNode[];
  private readonly rootType: string;
  private readonly defaults: Record<string, unknown> | undefined;
  readonly usesConditions: boolean;
  private conditions = 0;

  constructor(
    operation: Operation,
    private readonly facts: ShapingSchema,
  ) {
    const schema = operation.schema();
    this.rootType = schema.schemaDefinition.rootType(operation.rootKind)!.name;
    this.root = this.compileSelectionSet(operation.selectionSet);
    this.usesConditions = this.conditions > 0;
    const defaults = operation.collectDefaultedVariableValues() as Record<string, unknown>;
    this.defaults = Object.keys(defaults).length > 0 ? defaults : undefined;
  }

  /** Response names that cannot be written into a plain object (the executor hands those operations to Apollo). */
  static unsupportedResponseName(operation: Operation): string | undefined {
    let found: string | undefined;
    const visit = (set: SelectionSet) => {
      for (const selection of set.selections()) {
        if (selection.kind === 'FieldSelection' && selection.element.responseName() === '__proto__') found = '__proto__';
        if (selection.selectionSet !== undefined) visit(selection.selectionSet);
      }
    };
    visit(operation.selectionSet);
    return found;
  }

  shape(input: Record<string, unknown> | null | undefined, variables: Record<string, unknown> | undefined): ShapeResult {
    if (!input) return { data: input, errors: [] };
    const run: Run = {
      facts: this.facts,
      variables: this.usesConditions ? { __proto__: null, ...this.defaults, ...variables } : EMPTY,
      errors: [],
      path: [],
    };
    const data: Record<string, unknown> = {};
    const bubbled = applySelectionSet(run, input, this.root, data, this.rootType);
    return { data: bubbled ? null : data, errors: run.errors };
  }

  private compileSelectionSet(set: SelectionSet): SelectionNode[] {
    const schema = set.parentType.schema();
    const nodes: SelectionNode[] = [];
    for (const selection of set.selections()) {
      const element = selection.element;
      const skip = this.condition(element.appliedDirectivesOf(schema.skipDirective())[0]);
      const include = this.condition(element.appliedDirectivesOf(schema.includeDirective())[0]);
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        const responseName = field.responseName();
        nodes.push({
          isField: true,
          skip,
          include,
          responseName,
          ownOnly: PROTOTYPE_NAMES.has(responseName),
          isTypename: field.name === typenameFieldName,
          type: compileType(field.definition.type!, schema),
          selectionSet: selection.selectionSet === undefined ? undefined : this.compileSelectionSet(selection.selectionSet),
        });
      } else {
        const fragment = selection.element as { typeCondition?: NamedType };
        nodes.push({
          isField: false,
          skip,
          include,
          typeCondition: fragment.typeCondition,
          applies: new Map(),
          selectionSet: this.compileSelectionSet(selection.selectionSet!),
        });
      }
    }
    return nodes;
  }

  private condition(directive: { arguments(): Record<string, unknown>; toString(): string } | undefined): Condition | undefined {
    if (directive === undefined) return undefined;
    this.conditions++;
    const value = directive.arguments().if;
    if (value instanceof Variable) return { variable: value.name, literal: false, printed: directive.toString() };
    return { variable: undefined, literal: value as boolean, printed: directive.toString() };
  }
}

const EMPTY: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);

function compileType(type: Type, schema: Schema): ShapeType {
  const printed = type.toString();
  if (isNonNullType(type)) return { kind: 'nonNull', printed, ofType: compileType(type.ofType, schema), leaf: LeafKind.Custom, enumValues: undefined };
  if (isListType(type)) return { kind: 'list', printed, ofType: compileType(type.ofType, schema), leaf: LeafKind.Custom, enumValues: undefined };
  if (isCompositeType(type)) return { kind: 'composite', printed, ofType: undefined, leaf: LeafKind.Custom, enumValues: undefined };
  // federation-internals `isValidLeafValue`, decided once per field instead of per value.
  let leaf: LeafKind = LeafKind.String;
  let enumValues: Set<string> | undefined;
  if (isCustomScalarType(type)) leaf = LeafKind.Custom;
  else if (isEnumType(type)) {
    leaf = LeafKind.Enum;
    enumValues = new Set(type.values.map((v) => v.name));
  } else if (type === schema.booleanType()) leaf = LeafKind.Boolean;
  else if (type === schema.intType()) leaf = LeafKind.Int;
  else if (type === schema.idType()) leaf = LeafKind.Id;
  else if (type === schema.floatType()) leaf = LeafKind.Float;
  return { kind: 'leaf', printed, ofType: undefined, leaf, enumValues };
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

function isValidLeaf(type: ShapeType, value: unknown): boolean {
  const kind = type.leaf;
  if (kind === LeafKind.Custom) return true;
  if (typeof value === 'boolean') return kind === LeafKind.Boolean;
  if (typeof value === 'number' && isFinite(value)) {
    if (kind === LeafKind.Int || kind === LeafKind.Id) return INTEGER.test(String(value));
    return kind === LeafKind.Float;
  }
  if (typeof value === 'string') {
    if (kind === LeafKind.Enum) return type.enumValues!.has(value);
    return kind !== LeafKind.Boolean && kind !== LeafKind.Int && kind !== LeafKind.Float;
  }
  return false;
}

interface Run {
  facts: ShapingSchema;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
  path: Array<string | number>;
}

function ifValue(condition: Condition, variables: Record<string, unknown>): boolean {
  if (condition.variable === undefined) return condition.literal;
  const value = variables[condition.variable];
  assert(
    value !== undefined && typeof value === 'boolean',
    () => `Unexpected value ${String(value)} for variable $${condition.variable} of ${condition.printed}`,
  );
  return value;
}

function shouldSkip(node: SelectionNode, variables: Record<string, unknown>): boolean {
  return (node.skip !== undefined && ifValue(node.skip, variables)) || (node.include !== undefined && !ifValue(node.include, variables));
}

function typeConditionApplies(run: Run, node: FragmentNode, typename: string | undefined, parentType: string): boolean {
  const condition = node.typeCondition;
  if (condition === undefined) return true;
  const key = typename ? `t:${typename}` : `p:${parentType}`;
  let applies = node.applies.get(key);
  if (applies === undefined) {
    const schema = run.facts.schema;
    const type = schema.type(typename ? typename : parentType);
    applies = !!type && isSubtype(condition, type as CompositeType);
    node.applies.set(key, applies);
  }
  return applies;
}

/** Returns true when the object must become null (Apollo's NULL_BUBBLE_UP). */
function applySelectionSet(
  run: Run,
  input: Record<string, unknown>,
  selections: SelectionNode[],
  output: Record<string, unknown>,
  parentType: string,
): boolean {
  for (let i = 0; i < selections.length; i++) {
    const node = selections[i]!;
    if ((node.skip !== undefined || node.include !== undefined) && shouldSkip(node, run.variables)) continue;
    if (node.isField) {
      const name = node.responseName;
      const outputValue = node.ownOnly ? (Object.hasOwn(output, name) ? output[name] : undefined) : output[name];
      let inputValue = node.ownOnly ? (Object.hasOwn(input, name) ? input[name] : undefined) : input[name];
      if (inputValue === undefined) inputValue = null;
      if (node.isTypename) {
        if (outputValue === undefined) {
          if (inputValue === null && name !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type = typeof inputValue === 'string' && run.facts.allTypes.has(inputValue) ? inputValue : parentType;
          if (!run.facts.objectTypes.has(type)) return true;
          output[name] = type;
        }
        continue;
      }
      run.path.push(name);
      const updated = updateOutputValue(run, outputValue, node.type, inputValue, node.selectionSet, parentType);
      output[name] = updated;
      run.path.pop();
      if (invalid) return true;
    } else {
      const typename = input[typenameFieldName];
      assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${String(typename)}`);
      if (typeConditionApplies(run, node, typename as string | undefined, parentType)) {
        if (applySelectionSet(run, input, node.selectionSet, output, node.typeCondition?.name ?? parentType)) return true;
      }
    }
  }
  return false;
}

// updateOutputValue's two flags, returned beside its value without allocating a result object per value: read
// them right after each call (the walk is synchronous).
let invalid = false;
let hasErrors = false;

function describeLast(path: Array<string | number>, currentType: string, parentType: string): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

function updateOutputValue(
  run: Run,
  outputValue: unknown,
  type: ShapeType,
  inputValue: unknown,
  selectionSet: SelectionNode[] | undefined,
  parentType: string,
): unknown {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && selectionSet === undefined)) {
    invalid = false;
    hasErrors = false;
    return outputValue;
  }
  switch (type.kind) {
    case 'nonNull': {
      const updated = updateOutputValue(run, outputValue, type.ofType!, inputValue, selectionSet, parentType);
      if (updated === null) {
        if (!hasErrors) {
          run.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describeLast(run.path, type.ofType!.printed, parentType)}.`, {
              path: Array.from(run.path),
            }),
          );
        }
        invalid = true;
        hasErrors = true;
        return updated;
      }
      invalid = false;
      hasErrors = false;
      return updated;
    }
    case 'list': {
      if (inputValue === null) {
        invalid = false;
        hasErrors = false;
        return null;
      }
      assert(Array.isArray(inputValue), () => `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.printed}`);
      assert(
        outputValue === undefined || Array.isArray(outputValue),
        () => `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${type.printed}`,
      );
      const inputList = inputValue as unknown[];
      const length = inputList.length;
      const outputList = outputValue === undefined ? new Array<unknown>(length).fill(undefined) : (outputValue as unknown[]);
      assert(length === outputList.length, () => `[${String(inputList)}].length (${length}) !== [${String(outputList)}].length (${outputList.length})`);
      const updated = new Array<unknown>(length);
      let shouldNullify = false;
      let anyErrors = false;
      const path = run.path;
      const itemType = type.ofType!;
      for (let i = 0; i < length; i++) {
        path.push(i);
        updated[i] = updateOutputValue(run, outputList[i], itemType, inputList[i], selectionSet, parentType);
        path.pop();
        if (invalid) shouldNullify = true;
        if (hasErrors) anyErrors = true;
      }
      invalid = false;
      hasErrors = anyErrors;
      return shouldNullify ? null : updated;
    }
    case 'composite': {
      if (inputValue === null) {
        invalid = false;
        hasErrors = false;
        return null;
      }
      assert(selectionSet !== undefined, () => `Invalid empty selection set for composite type ${type.printed}`);
      assert(typeof inputValue === 'object', () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.printed}`);
      assert(
        outputValue === undefined || typeof outputValue === 'object',
        () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.printed}`,
      );
      const input = inputValue as Record<string, unknown>;
      const inputTypename = input[typenameFieldName];
      assert(
        inputTypename === undefined || typeof inputTypename === 'string',
        () => `Invalid non-string value ${String(inputTypename)} for __typename at ${String(run.path)}`,
      );
      let objectType = type.printed;
      if (inputTypename) {
        if (!run.facts.compositeTypes.has(inputTypename as string)) {
          run.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describeLast(run.path, type.printed, parentType)}.`, {
              path: Array.from(run.path),
            }),
          );
          invalid = false;
          hasErrors = true;
          return null;
        }
        objectType = inputTypename as string;
      }
      const outputObject = outputValue === undefined ? {} : (outputValue as Record<string, unknown>);
      const bubbled = applySelectionSet(run, input, selectionSet!, outputObject, objectType);
      invalid = false;
      hasErrors = bubbled;
      return bubbled ? null : outputObject;
    }
    default: {
      if (inputValue === null) {
        invalid = false;
        hasErrors = false;
        return null;
      }
      assert(outputValue === undefined, () => `Excepted output to be undefined but got ${type.printed} for type ${type.printed}`);
      const valid = isValidLeaf(type, inputValue);
      if (!valid) {
        run.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describeLast(run.path, type.printed, parentType)}.`, { path: Array.from(run.path) }),
        );
      }
      invalid = false;
      hasErrors = !valid;
      return valid ? inputValue : null;
    }
  }
}
