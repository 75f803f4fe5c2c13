"""The register of evaluation bodies: accreditations and their scope, approved evaluators."""
