"""A patient's data as two documents: the patient's own copy (/mydata) and the staff export
(/export <label>). `gather` reads everything stored about the patient into a `PatientCopy`
(labels in the patient's language, what the audience may not see already left out);
`readable` and `fhir_bundle` turn a copy into a readable JSON file and a FHIR R4B Bundle,
purely; `documents` names the two files. See docs/export.md."""
