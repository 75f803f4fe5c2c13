// Runs the CSAF 2.0 mandatory tests (section 6.1) of @secvisogram/csaf-validator-lib on the
// JSON document read from standard input; prints {"isValid": bool, "errors": [{test,
// instancePath, message}]} on standard output. Exit 0 when the tests ran (valid or not).
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import validate from '@secvisogram/csaf-validator-lib/validate.js'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
let document
try {
  document = JSON.parse(Buffer.concat(chunks).toString('utf8'))
} catch (error) {
  process.stdout.write(JSON.stringify({ isValid: false, errors: [{ test: 'json', instancePath: '', message: String(error) }] }))
  process.exit(0)
}
const result = await validate(Object.values(mandatory), document)
const errors = []
for (const test of result.tests) {
  for (const error of test.errors) {
    errors.push({ test: test.name, instancePath: error.instancePath ?? '', message: error.message ?? '' })
  }
}
process.stdout.write(JSON.stringify({ isValid: result.isValid, errors }))
