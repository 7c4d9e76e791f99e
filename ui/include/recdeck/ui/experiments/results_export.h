#pragma once
// Experiment exports, shared by the Experiments and Connection panels: the readout as CSV
// (one row per variant, numbers as plain fractions, so a spreadsheet can recompute them)
// or as JSON (experiments::toJson, the document GET /experiments/<key>/results serves),
// and the definition as JSON (the form the HTTP API and `recdeckd` accept).

#include <QString>

#include "recdeck/experiments/experiment.h"
#include "recdeck/experiments/experiment_results.h"

namespace recdeck::ui {

enum class ResultsFormat { Csv, Json };

// A header line, then a row per variant in the experiment's order; cells that do not
// apply (control's lift) are empty.
QString resultsCsv(const experiments::ExperimentResults& results);
QString resultsJson(const experiments::ExperimentResults& results);
QString definitionJson(const experiments::Experiment& experiment);
// Writes UTF-8 text; false with the reason in `error`.
bool writeTextFile(const QString& path, const QString& text, QString* error);
// Writes `results` to `path` atomically; an empty string on success, else why not.
QString writeResults(const QString& path, const experiments::ExperimentResults& results, ResultsFormat format);

}  // namespace recdeck::ui
