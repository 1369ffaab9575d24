package crypt_test

import (
	"fmt"
	"log"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/states/crypt"
)

func Example() {
	// In hub the identity file is read from identity_file (age-keygen -o
	// ~/.config/hub/key.txt) and recipients list every host's public key.
	key, _ := age.GenerateX25519Identity()
	ids, err := crypt.ParseIdentityFile([]byte("# public key: " + key.Recipient().String() + "\n" + key.String() + "\n"))
	if err != nil {
		log.Fatal(err)
	}
	c, err := crypt.NewRecipients([]string{key.Recipient().String()}, ids)
	if err != nil {
		log.Fatal(err)
	}
	stored, _ := c.Encode([]byte(`{"version":1}`))
	fmt.Println(crypt.LooksEncrypted(stored))
	plain, err := c.Decode(stored)
	fmt.Println(string(plain), err)

	_, err = c.Decode([]byte(`{"version":1}`))
	fmt.Println(err)
	// Output:
	// true
	// {"version":1} <nil>
	// the stored state is not encrypted, but this configuration expects encryption: it is plain JSON; to encrypt it, run hub state push from a host that holds the state, or remove the encrypt block
}
