//! The banner's unread count on the busiest pages (home, "Mes factures", the booking grid),
//! which read it in their own transaction rather than one of its own: a service's answer
//! shows on each of them, once read it shows on none, and a visitor's home has no count.

mod support;

use support::world::Town;

const PAUL: &str = "paul.alain@demo.example";

/// "Messagerie" with its count in the banner.
fn badge(n: i64) -> String {
    format!("<span class=\"badge\" aria-hidden=\"true\">{n}</span>")
}

const PAGES: [&str; 4] = [
    "/",
    "/factures",
    "/reservations",
    "/reservations?semaine=2027-W03",
];

#[tokio::test]
async fn the_unread_count_shows_on_the_pages_that_read_it_themselves() {
    let town = Town::new("banner").await;
    let paul = town.parent(PAUL).await;
    for path in PAGES {
        assert!(!paul.html(path).await.contains("class=\"badge\""), "{path}");
    }

    // The service answers twice in a conversation of Paul's household.
    let conversation = uuid::Uuid::new_v4();
    let tx = town.tx().await;
    tx.run(
        "INSERT INTO conversations (id, household_id, service_code, subject, created_at, last_message_at)
         SELECT $1, household_id, 'enfance', 'Cantine', now(), now() FROM guardians WHERE email = $2",
        [conversation.into(), PAUL.into()],
    )
    .await
    .unwrap();
    for body in ["<p>Bonjour</p>", "<p>C'est noté</p>"] {
        tx.run(
            "INSERT INTO messages (id, conversation_id, from_staff, body_html, sent_at)
             VALUES ($1, $2, true, $3, now())",
            [
                uuid::Uuid::new_v4().into(),
                conversation.into(),
                body.into(),
            ],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    for path in PAGES {
        let html = paul.html(path).await;
        assert!(html.contains(&badge(2)), "{path}: {html}");
        assert!(html.contains("2 messages non lus"), "{path}");
    }
    // The dashboard's tile and the banner say the same.
    let dashboard = paul.json("/dashboard").await;
    assert_eq!(dashboard["messages"]["unread"], 2);

    // Read: no count any more, on any of them.
    paul.html(&format!("/messagerie/{conversation}")).await;
    for path in PAGES {
        assert!(!paul.html(path).await.contains("class=\"badge\""), "{path}");
    }

    // A visitor's home has no banner count (and no session).
    let home = town.visitor().html("/").await;
    assert!(!home.contains("class=\"badge\""));
    town.cleanup().await;
}
