"""Phrasings of the simulated customers' first messages, per intent, and the knowledge articles agents look up
(docs/simulator.md#messages). Slots in braces are filled per contact: {amount} {date} {ref} {device} {city} {plan}
{month} {time}. Several intents share words on purpose (bill, charge, refund, line), as real ones do."""

from __future__ import annotations

SUPPORT_PHRASES: dict[str, tuple[str, ...]] = {
    "activate_service": (
        "my new sim still isn't working, can you activate it", "I signed up yesterday and the service is not active yet",
        "how do I activate the {plan} I just bought", "the line shows no service since I got it on {date}",
        "order {ref} arrived but nothing works, is it switched on", "need my account activating please"),
    "setup_equipment": (
        "I can't set up the new router", "the {device} you sent has a flashing orange light, how do I install it",
        "which cable goes where on the hub", "help installing the box, the lights won't go green",
        "engineer never came so I'm trying to set it up myself", "setting up wifi on the new {device}"),
    "first_bill_query": (
        "my first bill is much higher than I expected", "why is my first invoice {amount} when the plan is cheaper",
        "first bill has charges from before I joined", "I just joined and got a bill for {amount}, is that right",
        "what is the part payment on my first statement"),
    "bill_explanation": (
        "can you explain my bill", "what are these charges on this month's bill",
        "my bill went up to {amount}, why", "I don't understand the {month} statement",
        "what is the {amount} line on my invoice", "why am I paying more than last month"),
    "billing_dispute": (
        "I was charged {amount} for something I never used and I want it removed", "I dispute this bill, it's wrong",
        "you overcharged me again, third time I'm calling", "charged twice in {month}, I want this fixed now",
        "this {amount} charge is not mine, I'm not paying it", "wrong amount on the bill and nobody sorts it out"),
    "payment_arrangement": (
        "can I pay my bill in instalments", "I can't afford the {amount} this month, can we set up a plan",
        "I need more time to pay", "can I pay the balance on {date} instead",
        "struggling to pay, what are my options", "set up a payment plan for the arrears"),
    "refund_request": (
        "I want a refund of {amount}", "when will I get my money back for the cancelled order {ref}",
        "refund the overpayment please", "you said I'd get a refund on {date} and it hasn't come",
        "I returned the {device}, where is my refund"),
    "direct_debit_change": (
        "I want to change my direct debit date", "update my bank details for the direct debit",
        "can the payment come out on the {date} instead", "switch my direct debit to a new account",
        "stop taking the payment from my old card, use the new one"),
    "service_outage": (
        "is there an outage in {city}", "no internet since this morning, is the network down",
        "everything is down at my house, no signal at all", "mobile network not working in {city} today",
        "total loss of service since {time}"),
    "intermittent_connection": (
        "my internet keeps dropping", "the connection cuts out every few minutes",
        "wifi drops every evening and comes back", "broadband disconnects constantly, already restarted the {device}",
        "calls keep cutting off and data is patchy", "signal comes and goes all day"),
    "device_fault": (
        "my {device} is broken", "the phone won't turn on", "screen cracked on the {device}, is it covered",
        "the {device} keeps rebooting itself", "handset is faulty, it's only two months old"),
    "roaming_issue": (
        "my phone doesn't work abroad", "no data while roaming in {city}", "charged {amount} for roaming, I thought it was included",
        "can't make calls since I landed", "how do I turn on roaming before my trip on {date}"),
    "update_details": (
        "I need to change my email address", "update my phone number on the account",
        "change the name on my account", "my address is wrong on the letters", "update my contact details please"),
    "password_reset": (
        "I forgot my password", "can't log in to the app", "locked out of my account after too many tries",
        "reset my password please, the link doesn't arrive", "the login code never comes"),
    "plan_change": (
        "I want to change my plan", "move me to a cheaper tariff", "can I switch to the {plan}",
        "downgrade my package from next month", "I need more data on my plan"),
    "move_home": (
        "I'm moving house on {date}, can I take my broadband", "moving to {city} next month, what do I do",
        "transfer my service to my new address", "we are relocating, need the line moved",
        "I move on {date} and need internet at the new place from day one"),
    "cancel_service": (
        "I want to cancel my contract", "please close my account", "how do I leave, I'm switching provider",
        "cancel the line, I'm moving abroad", "I want to end my contract early, what does it cost"),
    "contract_renewal": (
        "my contract ends on {date}, what deals can you offer", "is there a better price if I renew",
        "renew my contract please", "my deal is ending, I want a loyalty offer", "recontract me on the same {plan}"),
    "upgrade_enquiry": (
        "am I due an upgrade", "I want the new {device}", "can I upgrade my phone early",
        "what faster broadband can I get", "how much to upgrade to the {plan}"),
    "new_line_order": (
        "I want to add a new line", "order another sim for my son", "add a second number to my account",
        "can I get a new line for the business", "another contract for my partner please"),
}

SCHEDULING_PHRASES: dict[str, tuple[str, ...]] = {
    "book_appointment": (
        "I need to book an appointment", "can I see a doctor on {date}", "book me in for a check up",
        "any slots this week", "I'd like an appointment in the morning"),
    "referral_booking": (
        "my GP referred me to a specialist, how do I book", "I have a referral letter {ref}",
        "booking for the referral to cardiology", "the hospital said to call you for the referral"),
    "rebook_after_no_show": (
        "I missed my appointment, can I rebook", "sorry I didn't make it on {date}, new time please",
        "I forgot my appointment yesterday", "missed the slot, can I have another"),
    "appointment_reminder": ("ok thanks", "got the reminder", "thanks for reminding me"),
    "two_way_reminder": ("C to confirm", "yes I'll be there", "confirm", "R please"),
    "reschedule": (
        "can I move my appointment", "I need to change my appointment on {date}", "reschedule to next week please",
        "something came up, can we do another day", "can I come at {time} instead"),
    "cancel_appointment": (
        "cancel my appointment please", "I can't make it on {date}, please cancel", "no longer need the appointment",
        "please remove my booking {ref}"),
    "prep_question": (
        "do I need to fast before the test", "what should I bring to the appointment", "can I eat before the scan",
        "do I stop my medication before the procedure"),
    "directions_parking": (
        "where do I park", "how do I get to the {city} clinic", "is there parking at the clinic",
        "which entrance do I use"),
    "test_results": (
        "are my test results back", "when will I get my blood results", "I had a scan on {date}, any results",
        "can you tell me my results"),
    "bill_query": (
        "I got a bill for {amount} for my visit", "why was I charged for the appointment", "question about my invoice {ref}",
        "my insurance should have covered this bill"),
    "prescription_refill": (
        "I need a repeat prescription", "can you refill my medication", "my prescription runs out on {date}",
        "repeat prescription please, same as last time"),
}

#: Knowledge articles per intent: title and the steps an agent follows (what guidance suggests).
SUPPORT_KB: dict[str, tuple[str, str]] = {
    "activate_service": ("Activate a new line or SIM", "Check the order status, confirm the SIM number, trigger "
                         "activation, ask the customer to restart the phone; activation completes within 2 hours."),
    "setup_equipment": ("Set up a router or hub", "Identify the device and its light pattern, guide the cabling "
                        "(power, broadband port, filter), wait for a green light, offer an engineer if it stays orange."),
    "first_bill_query": ("Explain the first bill", "Show the part-month charge and the first full month, explain "
                         "pro-rata charges from the start date, confirm the regular monthly amount."),
    "bill_explanation": ("Explain a bill", "Open the statement, go through each charge, point out out-of-bundle "
                         "usage and price changes, offer usage alerts."),
    "billing_dispute": ("Resolve a billing dispute", "Verify the disputed charge, check usage records, apply a "
                        "credit when the charge is wrong, raise a dispute case and give its reference when it needs "
                        "the billing team."),
    "payment_arrangement": ("Set up a payment arrangement", "Check the balance and arrears, agree instalments "
                            "or a later payment date, record the arrangement and send a confirmation."),
    "refund_request": ("Issue or track a refund", "Confirm the overpayment or returned item, check refund status, "
                       "issue the refund to the original payment method; refunds take 5 working days."),
    "direct_debit_change": ("Change direct debit details", "Verify identity, update bank account or collection "
                            "date, confirm the next collection and the amount."),
    "service_outage": ("Check for a network outage", "Look up the postcode on the outage map, tell the customer "
                       "the expected fix time, register them for an update message."),
    "intermittent_connection": ("Troubleshoot an intermittent connection", "Run a line test, check dropouts in "
                                "the last 7 days, move the router, change the wifi channel, book an engineer if "
                                "the line test fails."),
    "device_fault": ("Handle a faulty device", "Check warranty and insurance, run the device diagnostics, arrange "
                     "a repair or replacement and a courier."),
    "roaming_issue": ("Fix roaming abroad", "Check roaming is enabled on the account, ask for manual network "
                      "selection, explain the roaming charges and daily bundles."),
    "update_details": ("Update contact details", "Verify identity, update email, phone, name or address, send "
                       "a confirmation to the old and new contact."),
    "password_reset": ("Reset a password or unlock login", "Verify identity, unlock the account, send a reset link, "
                       "check the login code goes to the right number."),
    "plan_change": ("Change tariff or plan", "Compare plans on usage, explain the price and the start date, apply "
                    "the change from the next bill."),
    "move_home": ("Move service to a new home", "Take the new address and move date, check availability there, book "
                  "the move and the engineer, keep the contract."),
    "cancel_service": ("Cancel a contract", "Ask the reason, check early termination charges, offer a retention "
                       "deal, process the cancellation and the final bill."),
    "contract_renewal": ("Renew a contract", "Check the contract end date, present loyalty offers, confirm the new "
                         "term and price."),
    "upgrade_enquiry": ("Upgrade a device or speed", "Check upgrade eligibility, present devices and faster "
                        "packages, place the upgrade order."),
    "new_line_order": ("Add a new line", "Credit check, choose a plan for the new line, order the SIM and give the "
                       "delivery date."),
}
#: Articles no simulated need maps to (they make retrieval less trivial).
SUPPORT_KB_EXTRA: dict[str, tuple[str, str]] = {
    "complaints_procedure": ("Complaints procedure", "Log the complaint, give the reference, explain the 8-week "
                             "deadline and the ombudsman."),
    "accessibility_services": ("Accessibility services", "Offer large print bills, text relay and priority fault "
                               "repair for customers who need them."),
    "bereavement": ("Account holder has died", "Offer condolences, take the death certificate, transfer or close "
                    "the account without charges."),
}

SCHEDULING_KB: dict[str, tuple[str, str]] = {
    "book_appointment": ("Book an appointment", "Find the first slot with the right clinician, confirm date, time "
                         "and place, send the confirmation."),
    "referral_booking": ("Book from a referral", "Find the referral by its reference, check the specialty, offer "
                         "the specialist slots."),
    "rebook_after_no_show": ("Rebook after a missed appointment", "Note the missed visit, offer the next slots, "
                             "remind the patient of the reminder service."),
    "appointment_reminder": ("Reminder replies", "Automated reminders need no action."),
    "two_way_reminder": ("Two-way reminder replies", "C confirms, R asks to reschedule: route R to rescheduling."),
    "reschedule": ("Reschedule an appointment", "Release the old slot, offer new ones, confirm the change."),
    "cancel_appointment": ("Cancel an appointment", "Cancel the booking, release the slot, offer a new one."),
    "prep_question": ("Preparing for a visit", "Read the preparation notes of the procedure: fasting, medication, "
                      "what to bring."),
    "directions_parking": ("Directions and parking", "Give the clinic address, the entrance and the car park."),
    "test_results": ("Test results", "Check whether results are back and released, book a call with the clinician."),
    "bill_query": ("Visit bills", "Explain the charge, check insurance cover, resubmit the claim when it was missed."),
    "prescription_refill": ("Repeat prescriptions", "Check the repeat list, send the request to the clinician, give "
                            "the pharmacy collection date."),
}

OPENERS = ("", "", "", "hi ", "hello, ", "hi there, ", "good morning, ", "hey ", "hello ", "evening, ")
CLOSERS = ("", "", "", " thanks", " please", " thank you", " asap", "?", ".", " !!")
#: Words a hurried or angry customer adds (neutral to the intent).
FILLERS = ("", "", "", "", "sorry to bother you but ", "quick question, ", "this is really annoying, ",
           "I've been on hold for ages, ", "second time asking, ")
DEVICES = ("router", "hub", "phone", "tablet", "modem", "set-top box")
CITIES = ("Leeds", "Porto", "Dublin", "Krakow", "Cebu", "Bogota", "Glasgow", "Lisbon")
PLANS = ("unlimited plan", "family bundle", "50GB plan", "fibre 500", "sim only deal", "basic package")
MONTHS = ("January", "February", "March", "April", "May", "June", "July")

#: The symptoms line of each article (how customers describe the need), as knowledge bases list them for search.
SUPPORT_KB_SYMPTOMS: dict[str, str] = {
    "activate_service": "new sim not working, no service on a new line, account not active",
    "setup_equipment": "install router, orange light, cables, wifi setup on a new box",
    "first_bill_query": "first invoice higher than expected, charges before joining",
    "bill_explanation": "what is this charge, bill went up, statement lines",
    "billing_dispute": "wrong charge, overcharged, charged twice, charge not mine",
    "payment_arrangement": "cannot afford, pay later, instalments, arrears",
    "refund_request": "money back, overpayment, returned item",
    "direct_debit_change": "payment date, bank account, card for payments",
    "service_outage": "network down, no internet anywhere, no signal in the area",
    "intermittent_connection": "internet drops, connection cuts out, wifi disconnects, patchy signal",
    "device_fault": "phone broken, won't turn on, cracked screen, keeps rebooting",
    "roaming_issue": "abroad, travel, roaming charges, no data overseas",
    "update_details": "change email, phone number, name or address on the account",
    "password_reset": "forgot password, cannot log in, locked out, login code",
    "plan_change": "cheaper tariff, more data, switch package, downgrade",
    "move_home": "moving house, new address, relocating",
    "cancel_service": "leave, close account, switching provider, end contract",
    "contract_renewal": "deal ending, loyalty offer, renew",
    "upgrade_enquiry": "new phone, faster broadband, upgrade early",
    "new_line_order": "extra sim, second number, another contract",
}
