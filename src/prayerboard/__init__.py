"""prayerboard: a self-hosted community board for prayer requests and encouragement."""
