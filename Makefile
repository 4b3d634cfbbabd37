# mmext: `make demo` and `make test` set up what is missing (.venv in the repo) and run.
VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.mmext-installed
DEMO_CFG  ?= configs/thermal/yolox_cpu_synthflir_8e.py
DEMO_DIR  ?= work_dirs/demo_thermal
PSEUDO_CFG ?= configs/thermal/yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py
PSEUDO_DIR ?= work_dirs/demo_pseudo_otsu
DATA_FLIR ?= data/synthetic_flir
PYTEST_ARGS ?=

.PHONY: setup demo demo-gt test test-all clean-demo

$(STAMP): tools/setup_env.sh requirements/runtime.txt requirements/tests.txt setup.py
	bash tools/setup_env.sh $(VENV)

setup: $(STAMP)

# Embedded default (seed 003's chain on the synthetic paired FLIR-layout set): RGB teacher
# trained on the RGB GT -> thermal pseudo-labels (homography + thermal Otsu refinement) ->
# thermal student, printed next to the GT-supervised thermal student; both are evaluated on
# the thermal val GT. Finished steps are re-used (--resume, pseudo-label cache).
demo: demo-gt
	$(PY) tools/train.py configs/thermal/yolox_cpu_synthflir-rgb-teacher_8e.py \
		--work-dir work_dirs/demo_rgb_teacher --resume
	$(PY) tools/train.py $(PSEUDO_CFG) --work-dir $(PSEUDO_DIR) --resume
	$(PY) tools/test.py $(PSEUDO_CFG) $$(cat $(PSEUDO_DIR)/last_checkpoint) \
		--work-dir $(PSEUDO_DIR) --table-out $(PSEUDO_DIR)/per_class_map.csv
	@echo "== pseudo-label quality vs the thermal GT (raw = mapped only, then refined)"
	@$(PY) -c "import json,glob,sys; sys.path.insert(0,'.'); \
		from mmext.detection.pseudo_labels.generator import format_stats; \
		print(format_stats(json.load(open(sorted(glob.glob('$(PSEUDO_DIR)/pseudo_labels/*/stats.json'))[-1]))))"
	@echo "== thermal val set, COCO bbox AP: GT-supervised student vs pseudo-label student"
	@$(PY) tools/analysis_tools/compare_det_tables.py \
		"GT=$(DEMO_DIR)/per_class_map.csv" "pseudo=$(PSEUDO_DIR)/per_class_map.csv" \
		--columns mAP mAP_50 mAP_75

# The GT-supervised thermal student alone: synthetic set -> CPU YOLOX -> per-class COCO table.
demo-gt: $(STAMP)
	$(PY) tools/dataset_converters/make_synthetic_flir.py $(DATA_FLIR)
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_DIR) --resume
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_DIR)/last_checkpoint) \
		--work-dir $(DEMO_DIR) --table-out $(DEMO_DIR)/per_class_map.csv
	@echo "== GT-supervised thermal student, per-class COCO bbox AP on the synthetic thermal val set"
	@$(PY) tools/analysis_tools/compare_det_tables.py "GT=$(DEMO_DIR)/per_class_map.csv" \
		--columns mAP mAP_50 mAP_75 mAP_s mAP_m mAP_l

# Default suite (slow tests excluded); `make test-all` runs everything.
test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q $(PYTEST_ARGS) tests

test-all: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS) tests

clean-demo:
	rm -rf $(DEMO_DIR) $(PSEUDO_DIR) work_dirs/demo_rgb_teacher

