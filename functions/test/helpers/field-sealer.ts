import { staticKeyRing } from "../../src/lib/secrets";
import { createFieldCipher } from "../../src/secrets/field-cipher";
import { createFieldSealer, type FieldSealer } from "../../src/secrets/sealed-fields";

/** Personal data sealed as in production, under a fixed test key instead of Secret Manager's. */
export function testFieldSealer(): FieldSealer {
  return createFieldSealer(createFieldCipher({ keys: staticKeyRing("test-field-encryption-key", "field-encryption-kek") }));
}
