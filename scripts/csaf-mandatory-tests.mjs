// Runs the CSAF 2.0 mandatory tests (section 6.1) of @secvisogram/csaf-validator-lib on the
// JSON read from standard input: one document, or with --many an array of documents. Prints,
// for each document, {"isValid": bool, "errors": [{test, instancePath, message}]} (with --many,
// an array of them, in order). Exit 0 when the tests ran, whatever they found.
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import validate from '@secvisogram/csaf-validator-lib/validate.js'

async function check(document) {
  const result = await validate(Object.values(mandatory), document)
  const errors = []
  for (const test of result.tests) {
    for (const error of test.errors) {
      errors.push({ test: test.name, instancePath: error.instancePath ?? '', message: error.message ?? '' })
    }
  }
  return { isValid: result.isValid, errors }
}

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const output = process.argv.includes('--many')
  ? await Promise.all(input.map(check))
  : await check(input)
process.stdout.write(JSON.stringify(output))
