"""Every callback_id, action_id and block_id the app uses, in one place (tests check they stay unique)."""

from typing import Final

COMMAND: Final = "/mentoring"

# Sign-up modal.
SIGNUP_VIEW: Final = "signup"
B_ROLE: Final = "role"
B_TEACH: Final = "teach"
B_LEARN: Final = "learn"
B_SENIORITY: Final = "seniority"
B_DEPARTMENT: Final = "department"
B_CADENCE: Final = "cadence"
B_CAPACITY: Final = "capacity"
B_GOALS: Final = "goals"
B_MANAGER: Final = "manager"
B_SPONSOR: Final = "sponsor"
B_DO_NOT_MATCH: Final = "do_not_match"
B_CONSENT: Final = "consent"
# Inside every input block the element's action_id is "value": the block_id says what it is.
A_VALUE: Final = "value"

# Pause and leave modals.
PAUSE_VIEW: Final = "pause"
B_PAUSE_WEEKS: Final = "pause_weeks"
LEAVE_VIEW: Final = "leave"
B_LEAVE_DELETE: Final = "leave_delete"

# Buttons.
A_JOIN: Final = "join"
A_EDIT: Final = "edit"
A_PAUSE: Final = "pause"
A_RESUME: Final = "resume"
A_LEAVE: Final = "leave"
A_LEAVE_KEEP: Final = "leave_keep"
A_LEAVE_DELETE: Final = "leave_delete"
A_LEAVE_CANCEL: Final = "leave_cancel"

# Matching: the lead's preview, the pairs list, and the buttons in an introduction.
A_MATCH_DROP: Final = "match_drop"
A_MATCH_APPROVE: Final = "match_approve"
A_MATCH_RERUN: Final = "match_rerun"
A_MATCH_DISCARD: Final = "match_discard"
A_PAIR_END: Final = "pair_end"
A_LOG_SESSION: Final = "log_session"
A_SET_NEXT_SESSION: Final = "set_next_session"
A_NOT_WORKING: Final = "not_working"

# Momentum: check-ins, the leads' buttons on a stalled pair, and asking for a rematch.
CHECKIN_VIEW: Final = "checkin"
B_CHECKIN_MET: Final = "checkin_met"
B_CHECKIN_VALUE: Final = "checkin_value"
B_CHECKIN_LEARNED: Final = "checkin_learned"
B_CHECKIN_BLOCKERS: Final = "checkin_blockers"
B_CHECKIN_FIT: Final = "checkin_fit"
B_CHECKIN_TELL_LEAD: Final = "checkin_tell_lead"
A_CHECKIN_OPEN: Final = "checkin_open"
A_LEAD_NUDGE: Final = "lead_nudge"
A_LEAD_REMATCH: Final = "lead_rematch"
A_LEAD_SNOOZE: Final = "lead_snooze"
A_REMATCH_ME: Final = "rematch_me"

# Booking sessions: the modal, and the buttons on a booking, its reminders and "did it happen?".
SCHEDULE_VIEW: Final = "schedule"
B_SCHED_DATE: Final = "sched_date"
B_SCHED_TIME: Final = "sched_time"
B_SCHED_LENGTH: Final = "sched_length"
B_SCHED_PLACE: Final = "sched_place"
B_SCHED_WHO: Final = "sched_who"
A_SCHEDULE: Final = "schedule"
A_BOOKING_GOOGLE: Final = "booking_google"
A_BOOKING_OUTLOOK: Final = "booking_outlook"
A_BOOKING_MOVE: Final = "booking_move"
A_BOOKING_CANCEL: Final = "booking_cancel"
A_BOOKING_HELD: Final = "booking_held"
A_BOOKING_MISSED: Final = "booking_missed"


# Who came to a group session.
ATTENDANCE_VIEW: Final = "attendance"
B_ATTENDED: Final = "attended"


# A pair's cadence, changed by either partner.
A_CADENCE: Final = "cadence_change"
CADENCE_VIEW: Final = "cadence_view"
B_CADENCE_CHOICE: Final = "cadence_choice"

# The leads' Home tab: paging and filtering the pairs, acting on one, the export.
A_LEADS_PAGE: Final = "leads_page"
A_LEADS_FILTER: Final = "leads_filter"
A_LEADS_EXPORT: Final = "leads_export"
A_LEADS_NUDGE: Final = "leads_nudge"
A_LEADS_REMATCH: Final = "leads_rematch"
A_LEADS_SNOOZE: Final = "leads_snooze"
A_LEADS_END: Final = "leads_end"

# Program cycles: the lead's modal to start or plan one, the overview's buttons, extending one.
CYCLE_VIEW: Final = "cycle_new"
B_CYCLE_NAME: Final = "cycle_name"
B_CYCLE_START: Final = "cycle_start"
B_CYCLE_LENGTH: Final = "cycle_length"
CYCLE_EXTEND_VIEW: Final = "cycle_extend_view"
B_CYCLE_END: Final = "cycle_new_end"
A_CYCLE_PLAN: Final = "cycle_plan"
A_CYCLE_EXTEND: Final = "cycle_extend"
A_CYCLE_END_EARLY: Final = "cycle_end_early"
A_CYCLE_END_NOW: Final = "cycle_end_now"
A_CYCLE_CALL_OFF: Final = "cycle_call_off"

# A cycle's surveys: the midpoint pulse and the close-out (buttons carry "<cycle id>:<pairing id>").
A_PULSE_OPEN: Final = "pulse_open"
PULSE_VIEW: Final = "pulse"
A_CLOSEOUT_OPEN: Final = "closeout_open"
CLOSEOUT_VIEW: Final = "closeout"
B_SURVEY_VALUE: Final = "survey_value"
B_SURVEY_HELP: Final = "survey_help"
B_SURVEY_RECOMMEND: Final = "survey_recommend"
B_SURVEY_CONTINUE: Final = "survey_continue"
B_SURVEY_CHANGED: Final = "survey_changed"
B_SURVEY_THANKS: Final = "survey_thanks"
B_SURVEY_QUOTE: Final = "survey_quote"
B_SURVEY_OPT_IN: Final = "survey_opt_in"
# One block per topic rated: this prefix and the topic's id.
B_SURVEY_CONFIDENCE: Final = "survey_confidence:"
# Goals, the agreement and confidence: "We agree", the check-in's goal questions, the confidence modal.
A_AGREE: Final = "agree"
B_CHECKIN_GOALS: Final = "checkin_goals"
B_CHECKIN_PROGRESS: Final = "checkin_progress"
A_CONFIDENCE_OPEN: Final = "confidence_open"
CONFIDENCE_VIEW: Final = "confidence"
# One input block per topic in the confidence modal: this prefix and the topic id.
B_CONFIDENCE_PREFIX: Final = "confidence:"
