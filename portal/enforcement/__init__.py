"""Pure logic for enforcement disclosure: credit codes and the verifiable inspection draw."""
