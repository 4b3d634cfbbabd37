# mmext: `make demo` and `make test` set up what is missing (.venv in the repo) and run.
VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.mmext-installed
DEMO_CFG  ?= configs/thermal/yolox_cpu_synthflir_8e.py
DEMO_DIR  ?= work_dirs/demo_thermal
DATA_FLIR ?= data/synthetic_flir
PYTEST_ARGS ?=

.PHONY: setup demo demo-pseudo test test-all clean-demo

$(STAMP): tools/setup_env.sh requirements/runtime.txt requirements/tests.txt setup.py
	bash tools/setup_env.sh $(VENV)

setup: $(STAMP)

# Embedded default: synthetic FLIR-layout thermal set -> YOLOX-tiny -> per-class COCO table.
demo: $(STAMP)
	$(PY) tools/dataset_converters/make_synthetic_flir.py $(DATA_FLIR)
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_DIR) --resume
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_DIR)/last_checkpoint) \
		--work-dir $(DEMO_DIR) --table-out $(DEMO_DIR)/per_class_map.md
	@echo "== per-class COCO bbox AP on the synthetic thermal val set ($(DEMO_DIR)/per_class_map.md)"
	@cat $(DEMO_DIR)/per_class_map.md

# Default suite (slow tests excluded); `make test-all` runs everything.
test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q $(PYTEST_ARGS) tests

test-all: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS) tests

clean-demo:
	rm -rf $(DEMO_DIR)

# Seed 003's chain on the synthetic paired set: RGB teacher (trained on RGB GT) -> thermal
# pseudo-labels (homography + thermal Otsu refinement) -> thermal student, next to the
# GT-supervised thermal student, both evaluated on the thermal GT.
demo-pseudo: $(STAMP)
	$(PY) tools/dataset_converters/make_synthetic_flir.py $(DATA_FLIR)
	$(PY) tools/train.py configs/thermal/yolox_cpu_synthflir-rgb-teacher_8e.py \
		--work-dir work_dirs/demo_rgb_teacher --resume
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_DIR) --resume
	$(PY) tools/train.py configs/thermal/yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py \
		--work-dir work_dirs/demo_pseudo_otsu --resume
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_DIR)/last_checkpoint) \
		--work-dir $(DEMO_DIR) --table-out $(DEMO_DIR)/per_class_map.csv
	$(PY) tools/test.py configs/thermal/yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py \
		$$(cat work_dirs/demo_pseudo_otsu/last_checkpoint) --work-dir work_dirs/demo_pseudo_otsu \
		--table-out work_dirs/demo_pseudo_otsu/per_class_map.csv
	@echo "== thermal val set, COCO bbox AP: GT-supervised vs pseudo-label student"
	@$(PY) tools/analysis_tools/compare_det_tables.py \
		"GT=$(DEMO_DIR)/per_class_map.csv" "pseudo=work_dirs/demo_pseudo_otsu/per_class_map.csv"
	@cat work_dirs/demo_pseudo_otsu/pseudo_labels/*/stats.json; echo
