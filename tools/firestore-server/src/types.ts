/**
 * TypeScript shapes of the google.firestore.v1 messages as @grpc/proto-loader decodes them
 * with our options (keepCase, longs as strings, enums as strings, no defaults, oneofs).
 * Only the fields the server reads or writes are declared. proto3 scalars that hold their
 * default value (0, "", false) are absent after decoding, hence the many optionals.
 */

export interface Timestamp {
  seconds?: string | number;
  nanos?: number;
}

export interface LatLng {
  latitude?: number;
  longitude?: number;
}

export interface ArrayValue {
  values?: Value[];
}

export interface MapValue {
  fields?: Record<string, Value>;
}

export interface Value {
  null_value?: string | number;
  boolean_value?: boolean;
  integer_value?: string | number;
  double_value?: number;
  timestamp_value?: Timestamp;
  string_value?: string;
  bytes_value?: Uint8Array;
  reference_value?: string;
  geo_point_value?: LatLng;
  array_value?: ArrayValue;
  map_value?: MapValue;
  value_type?: string;
}

export type Fields = Record<string, Value>;

export interface Document {
  name?: string;
  fields?: Fields;
  create_time?: Timestamp;
  update_time?: Timestamp;
}

export interface DocumentMask {
  field_paths?: string[];
}

export interface Precondition {
  exists?: boolean;
  update_time?: Timestamp;
}

export interface FieldTransform {
  field_path?: string;
  set_to_server_value?: string;
  increment?: Value;
  maximum?: Value;
  minimum?: Value;
  append_missing_elements?: ArrayValue;
  remove_all_from_array?: ArrayValue;
}

export interface Write {
  update?: Document;
  delete?: string;
  transform?: { document?: string; field_transforms?: FieldTransform[] };
  update_mask?: DocumentMask;
  update_transforms?: FieldTransform[];
  current_document?: Precondition;
}

export interface WriteResult {
  update_time?: Timestamp;
  transform_results?: Value[];
}

export interface FieldReference {
  field_path?: string;
}

export interface FieldFilter {
  field?: FieldReference;
  op?: string;
  value?: Value;
}

export interface UnaryFilter {
  op?: string;
  field?: FieldReference;
}

export interface CompositeFilter {
  op?: string;
  filters?: Filter[];
}

export interface Filter {
  composite_filter?: CompositeFilter;
  field_filter?: FieldFilter;
  unary_filter?: UnaryFilter;
}

export interface Order {
  field?: FieldReference;
  direction?: string;
}

export interface Cursor {
  values?: Value[];
  before?: boolean;
}

export interface FindNearest {
  vector_field?: FieldReference;
  query_vector?: Value;
  distance_measure?: string;
  limit?: { value?: number };
  distance_result_field?: string;
  distance_threshold?: { value?: number };
}

export interface StructuredQuery {
  select?: { fields?: FieldReference[] };
  from?: { collection_id?: string; all_descendants?: boolean }[];
  where?: Filter;
  order_by?: Order[];
  start_at?: Cursor;
  end_at?: Cursor;
  offset?: number;
  limit?: { value?: number };
  find_nearest?: FindNearest;
}

export interface Aggregation {
  count?: { up_to?: { value?: string | number } };
  sum?: { field?: FieldReference };
  avg?: { field?: FieldReference };
  alias?: string;
}

export interface StructuredAggregationQuery {
  structured_query?: StructuredQuery;
  aggregations?: Aggregation[];
}

export interface TransactionOptions {
  read_only?: { read_time?: Timestamp };
  read_write?: { retry_transaction?: Uint8Array };
}

/** The consistency selector shared by the read RPCs (oneof transaction/new_transaction/read_time). */
export interface ReadConsistency {
  transaction?: Uint8Array;
  new_transaction?: TransactionOptions;
  read_time?: Timestamp;
}

export interface ExplainOptions {
  analyze?: boolean;
}

export interface Target {
  query?: { parent?: string; structured_query?: StructuredQuery };
  documents?: { documents?: string[] };
  resume_token?: Uint8Array;
  read_time?: Timestamp;
  target_id?: number;
  once?: boolean;
}

export interface ListenRequest {
  database?: string;
  add_target?: Target;
  remove_target?: number;
}

export interface Status {
  code: number;
  message: string;
}
